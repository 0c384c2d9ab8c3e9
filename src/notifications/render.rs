//! The mails' bodies from Askama templates (`templates/mail/`): a plain-text and an HTML
//! version of each, in the recipient's language with their organization's terms.

use askama::Template;

use super::outbox::BASE;
use crate::labels::Labels;

#[derive(Template)]
#[template(path = "mail/notice.txt")]
struct NoticeText<'a> {
    hello: &'a str,
    lines: &'a [String],
    link: Option<String>,
    app: &'a str,
    footer: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticeHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    hello: &'a str,
    lines: &'a [String],
    link: Option<String>,
    link_text: &'a str,
    app: &'a str,
    footer: Option<String>,
}

/// A rendered mail: subject, text, HTML.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A short mail: a greeting, some lines, a link (site-relative, or absolute for the account
/// mails that carry a token), and a footer line when it is a notification.
pub fn simple(
    labels: &Labels,
    name: &str,
    subject: &str,
    lines: &[String],
    link: Option<&str>,
    footer: bool,
) -> Rendered {
    let hello = if name.is_empty() {
        format!("{},", labels.get("text.hello"))
    } else {
        format!("{} {name},", labels.get("text.hello"))
    };
    let link = link.map(|l| {
        if l.starts_with('/') {
            format!("{BASE}{l}")
        } else {
            l.to_string()
        }
    });
    let footer = footer.then(|| {
        format!(
            "{} {BASE}/account/notifications",
            labels.get("ntf.mail_footer")
        )
    });
    let app = labels.get("app.name");
    let text = NoticeText {
        hello: &hello,
        lines,
        link: link.clone(),
        app,
        footer: footer.clone(),
    }
    .render()
    .unwrap_or_default();
    let html = NoticeHtml {
        lang: labels.lang.code(),
        subject,
        hello: &hello,
        lines,
        link,
        link_text: labels.get("ntf.mail_open"),
        app,
        footer,
    }
    .render()
    .unwrap_or_default();
    Rendered {
        subject: subject.to_string(),
        text,
        html,
    }
}

/// One part of the digest: a heading with its count and up to a few names.
pub struct Section {
    pub heading: String,
    pub count: i64,
    pub items: Vec<String>,
    pub more: i64,
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct DigestText<'a> {
    hello: &'a str,
    intro: &'a str,
    sections: &'a [Section],
    more_word: &'a str,
    open_text: &'a str,
    link: &'a str,
    app: &'a str,
    footer: &'a str,
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    hello: &'a str,
    intro: &'a str,
    sections: &'a [Section],
    more_word: &'a str,
    open_text: &'a str,
    link: &'a str,
    app: &'a str,
    footer: &'a str,
}

pub fn digest(
    labels: &Labels,
    name: &str,
    subject: &str,
    intro: &str,
    sections: &[Section],
) -> Rendered {
    let hello = format!("{} {name},", labels.get("text.hello"));
    let link = format!("{BASE}/");
    let footer = format!(
        "{} {BASE}/account/notifications",
        labels.get("ntf.mail_footer")
    );
    let (more_word, open_text, app) = (
        labels.get("ntf.digest.more"),
        labels.get("ntf.digest.open"),
        labels.get("app.name"),
    );
    let text = DigestText {
        hello: &hello,
        intro,
        sections,
        more_word,
        open_text,
        link: &link,
        app,
        footer: &footer,
    }
    .render()
    .unwrap_or_default();
    let html = DigestHtml {
        lang: labels.lang.code(),
        subject,
        hello: &hello,
        intro,
        sections,
        more_word,
        open_text,
        link: &link,
        app,
        footer: &footer,
    }
    .render()
    .unwrap_or_default();
    Rendered {
        subject: subject.to_string(),
        text,
        html,
    }
}
