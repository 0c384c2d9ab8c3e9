//! E-mail through lettre: SMTP when `SMTP_URL` is set, otherwise each message is written as an
//! `.eml` file to `data/mail/` and the log says where, so a developer can open the link.
//! Nothing sends from a web request: mails are queued in the outbox
//! (`notifications::outbox`) and this is called by its delivery job.

use std::path::PathBuf;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: SmtpTransport,
        from: Mailbox,
    },
    Folder {
        dir: PathBuf,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn from_config(c: &crate::config::Config) -> anyhow::Result<Mailer> {
        let from: Mailbox = c.mail_from.parse()?;
        Ok(match &c.smtp_url {
            Some(url) => Mailer::Smtp {
                transport: SmtpTransport::from_url(url)?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
                from,
            },
            None => Mailer::Folder {
                dir: c.data_dir.join("mail"),
                from,
            },
        })
    }

    /// Sends a message with a plain-text body and, when given, an HTML alternative (blocking:
    /// call it from a blocking context).
    pub fn send(
        &self,
        to: &str,
        subject: &str,
        text: String,
        html: Option<String>,
    ) -> anyhow::Result<()> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Folder { from, .. } => from.clone(),
        };
        let builder = Message::builder()
            .from(from)
            .to(to.parse()?)
            .subject(subject);
        let msg = match html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )?,
            None => builder.header(ContentType::TEXT_PLAIN).body(text)?,
        };
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(&msg)?;
            }
            Mailer::Folder { dir, .. } => {
                std::fs::create_dir_all(dir)?;
                let id = FileTransport::new(dir).send(&msg)?;
                log::info!(
                    "no SMTP_URL set: mail to {to} written to {}",
                    dir.join(format!("{id}.eml")).display()
                );
            }
        }
        Ok(())
    }
}
