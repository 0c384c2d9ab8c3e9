-- wrk script for bench/stall.sh: optional POST body from the environment, and a summary line
-- with p50, p99 and max latency and the number of requests that took over one second.
-- STALL_USERS (a file of "cookie<TAB>csrf token" lines) spreads the POST over several signed-in
-- people, each request the next one's: each person's form carries their own token.
local body = os.getenv("STALL_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local users = {}
local users_file = os.getenv("STALL_USERS")
if users_file and users_file ~= "" then
  for line in io.lines(users_file) do
    local cookie, token = line:match("^([^\t]+)\t(.+)$")
    if cookie then users[#users + 1] = { cookie = cookie, token = token } end
  end
end
local turn = 0

function setup(thread)
  thread:set("offset", turn)
  turn = turn + 7
end

if #users > 0 then
function request()
  offset = (offset or 0) + 1
  local u = users[offset % #users + 1]
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Cookie"] = u.cookie
  local b = body:gsub("__CSRF__", u.token)
  return wrk.format(nil, nil, headers, b)
end
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
