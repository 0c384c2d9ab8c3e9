-- wrk script for bench/stall.sh: optional POST body from the environment, and a summary line
-- with p50, p99 and max latency and the number of requests that took over one second.
local body = os.getenv("STALL_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function done(summary, latency, requests)
  local over = 0
  for i = 1, #latency do
    local value, count = latency(i)
    if value > 1000000 then over = over + count end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT req/s=%.0f p50=%.2fms p99=%.2fms max=%.2fms over1s=%d timeouts=%d errors=%d non2xx3xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    over, e.timeout, e.connect + e.read + e.write, e.status))
end
