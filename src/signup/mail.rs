//! The sign-up's mails: the confirmation (or "subscribed already") mail as
//! an Internet message, built with lettre like a digest (text then HTML),
//! and the mailer that sends the queue: claim in the database, send
//! through the digest's SMTP settings (`smtp::send_all`), record each
//! outcome at once; or, with no SMTP server, write `.eml` files.

use std::path::PathBuf;
use std::time::SystemTime;

use askama::Template;
use chrono::Utc;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use sha2::{Digest as _, Sha256};

use super::tokens::{self, Purpose, CONFIRM_DAYS, MANAGE_DAYS};
use super::App;
use crate::digest::outbox::file_stem;
use crate::digest::smtp::{self, Job, Outcome, SmtpSettings};
use crate::store::signup::{MailKind, MailOutcome, QueuedMail};
use crate::store::StoreError;

/// Where the mails go.
#[derive(Debug, Clone)]
pub enum Destination {
    Smtp(SmtpSettings),
    /// `.eml` files in `<dir>/signup/` (demos, tests, no SMTP server).
    Outbox(PathBuf),
}

/// A claim older than this is from a mailer that died: taken again.
const STALE_CLAIM_SECS: i64 = 300;
/// Mails claimed at once.
const BATCH: usize = 50;

#[derive(Template)]
#[template(path = "signup-mail.txt")]
struct TextMail<'a> {
    site_title: &'a str,
    address: &'a str,
    confirm_link: Option<String>,
    manage_link: &'a str,
    days: i64,
}

#[derive(Template)]
#[template(path = "signup-mail.html")]
struct HtmlMail<'a> {
    subject: &'a str,
    site_title: &'a str,
    address: &'a str,
    confirm_link: Option<String>,
    manage_link: &'a str,
    days: i64,
}

/// The message for one queued mail, its links signed as of `now`.
pub fn build(app: &App, mail: &QueuedMail, now: i64) -> Result<Message, String> {
    let from: Mailbox = app.from.parse().map_err(|e| format!("digest.from: {e}"))?;
    let to: Mailbox = mail
        .display
        .parse()
        .map_err(|e| format!("`{}`: {e}", mail.display))?;
    let confirm_link = (mail.kind == MailKind::Confirm).then(|| {
        let token = tokens::sign(
            &app.secret,
            &mail.address,
            Purpose::Confirm,
            now + CONFIRM_DAYS * 86_400,
        );
        tokens::link(&app.app_url, "confirm", &token)
    });
    let manage = tokens::sign(
        &app.secret,
        &mail.address,
        Purpose::Manage,
        now + MANAGE_DAYS * 86_400,
    );
    let manage_link = tokens::link(&app.app_url, "preferences", &manage);
    let subject = match mail.kind {
        MailKind::Confirm => format!("Confirm your subscription to {}", app.site_title),
        MailKind::Manage => format!("Your subscription to {}", app.site_title),
    };
    let text = TextMail {
        site_title: &app.site_title,
        address: &mail.address,
        confirm_link: confirm_link.clone(),
        manage_link: &manage_link,
        days: CONFIRM_DAYS,
    }
    .render()
    .map_err(|e| e.to_string())?;
    let html = HtmlMail {
        subject: &subject,
        site_title: &app.site_title,
        address: &mail.address,
        confirm_link,
        manage_link: &manage_link,
        days: CONFIRM_DAYS,
    }
    .render()
    .map_err(|e| e.to_string())?;
    let hash = hex::encode(Sha256::digest(mail.address.as_bytes()));
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .date(SystemTime::now())
        // The same queued mail keeps its id if it is ever sent again.
        .message_id(Some(format!(
            "<signup.{}.{}@{domain}>",
            mail.id,
            &hash[..16]
        )))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text))
                .singlepart(SinglePart::html(html)),
        )
        .map(|mut message| {
            crate::dkim::sign(app.dkim.as_ref(), &mut message);
            message
        })
        .map_err(|e| e.to_string())
}

/// Sends (or writes) every mail queued now; the number handled. Each is
/// claimed before it goes and recorded as soon as its fate is known.
pub fn send_queued(app: &App, log: &dyn Fn(String)) -> Result<usize, StoreError> {
    let mut handled = 0;
    loop {
        let now = Utc::now().timestamp();
        let mails = app.store.claim_mail(now, STALE_CLAIM_SECS, BATCH)?;
        if mails.is_empty() {
            return Ok(handled);
        }
        handled += mails.len();
        let mut jobs = Vec::new();
        // Whether each mail's fate is recorded.
        let mut done = vec![false; mails.len()];
        for (key, mail) in mails.iter().enumerate() {
            match build(app, mail, now) {
                Ok(message) => jobs.push((key, message)),
                Err(e) => {
                    app.store.finish_mail(mail.id, &MailOutcome::Failed(e))?;
                    done[key] = true;
                }
            }
        }
        match &app.destination {
            Destination::Outbox(dir) => {
                for (key, message) in jobs {
                    let mail = &mails[key];
                    let path = dir.join("signup").join(format!(
                        "{}-{}.eml",
                        mail.id,
                        file_stem(&mail.address)
                    ));
                    let outcome = match crate::fs::write_atomic(&path, &message.formatted()) {
                        Ok(_) => MailOutcome::Sent,
                        Err(e) => MailOutcome::Deferred(e.to_string()),
                    };
                    app.store.finish_mail(mail.id, &outcome)?;
                }
            }
            Destination::Smtp(settings) => {
                let recorded = std::sync::Mutex::new(done);
                let jobs = jobs.into_iter().map(|(key, message)| Job {
                    key,
                    envelope: crate::verp::envelope(
                        app.bounce_address.as_deref(),
                        &app.secret.0,
                        message.envelope(),
                        &mails[key].address,
                    ),
                    bytes: message.formatted(),
                });
                let sent = smtp::send_all(settings, jobs, |job, outcome| {
                    let outcome = match outcome {
                        Outcome::Accepted => MailOutcome::Sent,
                        Outcome::Rejected(why) => MailOutcome::Failed(why),
                        Outcome::Deferred(why) => MailOutcome::Deferred(why),
                    };
                    app.store.finish_mail(mails[job.key].id, &outcome)?;
                    recorded.lock().unwrap_or_else(|p| p.into_inner())[job.key] = true;
                    Ok(())
                });
                if let Err(e) = sent {
                    log(format!("signup mail: {e}"));
                    // Never handed to the server: back in the queue now
                    // rather than when the claim goes stale.
                    let recorded = recorded.into_inner().unwrap_or_else(|p| p.into_inner());
                    for (mail, done) in mails.iter().zip(recorded) {
                        if !done {
                            app.store
                                .finish_mail(mail.id, &MailOutcome::Deferred(e.to_string()))?;
                        }
                    }
                    return Ok(handled);
                }
            }
        }
    }
}
