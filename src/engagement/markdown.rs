//! Markdown written by organization administrators (toolbox cards), rendered on the server with
//! pulldown-cmark and sanitized with ammonia. Raw HTML in the Markdown is shown as text, never
//! passed on; the result is then cleaned by ammonia's allow-list (no script, no style, no event
//! attributes, no `javascript:` or `data:` links: only http, https and mailto), and every link
//! gets `rel="noopener noreferrer nofollow"`. Images are not allowed (a card's picture goes
//! through the upload pipeline), so a card cannot load anything from elsewhere.

use pulldown_cmark::{Event, Options, Parser};

/// The safe HTML of a Markdown text.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    )
    .map(|event| match event {
        // Raw HTML is shown as the text it is.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    sanitize(&html)
}

fn sanitize(html: &str) -> String {
    use std::collections::HashSet;
    let tags: HashSet<&str> = [
        "p",
        "br",
        "strong",
        "em",
        "del",
        "ul",
        "ol",
        "li",
        "a",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "code",
        "pre",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn hostile_markdown_is_shown_never_run() {
        let out = render(
            "Hei <script>alert(1)</script>\n\n[klikk](javascript:alert(1)) \
             [data](data:text/html,<b>x</b>) <img src=x onerror=alert(1)>\n\n\
             <a href=\"https://x.example\" onclick=\"alert(1)\">a</a>\n\n![bilde](https://evil.example/p.png)",
        );
        // Every real tag (text `<` is escaped, so each `<` starts one) is harmless.
        for tag in out
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
        {
            let name = tag.split_whitespace().next().unwrap_or("");
            assert!(!["script", "img", "iframe"].contains(&name), "{tag}");
            assert!(!tag.contains(" on"), "event attribute in {tag}");
            assert!(
                !tag.contains("javascript:") && !tag.contains("data:"),
                "{tag}"
            );
        }
        // The markdown image is dropped; hostile links keep their text, not their target.
        assert!(!out.contains("evil.example"), "{out}");
        assert!(
            out.contains("&lt;script&gt;"),
            "raw HTML shown as text: {out}"
        );
    }

    #[test]
    fn ordinary_markdown_keeps_its_shape() {
        let out = render("## Spør\n\n* **Hva** liker du?\n* [Mer](https://example.org)");
        assert!(out.contains("<h2>Spør</h2>"), "{out}");
        assert!(out.contains("<strong>Hva</strong>"), "{out}");
        assert!(
            out.contains("href=\"https://example.org\"") && out.contains("noopener"),
            "{out}"
        );
    }
}
