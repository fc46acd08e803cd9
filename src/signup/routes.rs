//! The sign-up's routes and pages. `GET` shows, `POST` acts: a link
//! scanner that follows every link in a mail confirms nothing and changes
//! no preference. Tokens travel in the query of a `GET` (the links of
//! mails) and in hidden fields of a `POST`; the log hides query values.

use std::collections::BTreeSet;
use std::sync::Arc;

use askama::Template;
use axum::body::{self, Body};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::{get, MethodRouter};
use axum::Extension;
use chrono::Utc;

use super::tokens::{self, Purpose, Token, TokenError, MANAGE_DAYS};
use super::{App, Topic};
use crate::digest::period::Frequency;
use crate::digest::subscribers::{parse_address, MailFormat};
use crate::serve::http::{add_header, text_page, with_status};
use crate::serve::{ClientAddr, Endpoint, Log};
use crate::store::signup::SignUp;
use crate::store::subscribers::SubscriberRow;

/// Largest form read (the server's own body limit is usually lower).
const MAX_FORM: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Subscribe,
    Confirm,
    Preferences,
}

struct RouteEndpoint {
    app: Arc<App>,
    route: Route,
}

pub(super) fn endpoints(app: &Arc<App>) -> Vec<Box<dyn Endpoint>> {
    [Route::Subscribe, Route::Confirm, Route::Preferences]
        .into_iter()
        .map(|route| {
            Box::new(RouteEndpoint {
                app: Arc::clone(app),
                route,
            }) as Box<dyn Endpoint>
        })
        .collect()
}

impl Endpoint for RouteEndpoint {
    fn path(&self) -> &str {
        match self.route {
            Route::Subscribe => "/subscribe",
            Route::Confirm => "/confirm",
            Route::Preferences => "/preferences",
        }
    }

    fn routes(&self) -> MethodRouter {
        let state = Arc::clone(&self.app);
        let router = match self.route {
            Route::Subscribe => get(subscribe_page).post(subscribe),
            Route::Confirm => get(confirm_page).post(confirm),
            Route::Preferences => get(preferences_page).post(preferences),
        };
        router
            .fallback(|| async {
                let mut response = text_page(405, "Method Not Allowed");
                add_header(&mut response, "Allow", "GET, HEAD, POST");
                response
            })
            .with_state(state)
    }
}

/// A checkbox or radio button.
struct Choice {
    slug: String,
    name: String,
    checked: bool,
}

/// What the choices on a form say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Choices {
    all: bool,
    themes: Vec<String>,
    programmes: Vec<String>,
    frequency: Frequency,
    format: MailFormat,
}

impl Default for Choices {
    fn default() -> Choices {
        Choices {
            all: false,
            themes: Vec::new(),
            programmes: Vec::new(),
            frequency: Frequency::Weekly,
            format: MailFormat::Html,
        }
    }
}

/// The hidden fields that carry a token.
struct TokenForm {
    action: String,
    address: String,
    expires: i64,
    mac: String,
    button: String,
}

#[derive(Template)]
#[template(path = "app-subscribe.html")]
struct SubscribePage<'a> {
    heading: &'a str,
    site_title: &'a str,
    site_url: &'a str,
    action: &'a str,
    email: String,
    error: Option<String>,
    all: bool,
    themes: Vec<Choice>,
    programmes: Vec<Choice>,
    frequencies: Vec<Choice>,
    formats: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "app-message.html")]
struct MessagePage<'a> {
    heading: &'a str,
    site_title: &'a str,
    site_url: &'a str,
    message: String,
    form: Option<TokenForm>,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "app-preferences.html")]
struct PreferencesPage<'a> {
    heading: &'a str,
    site_title: &'a str,
    site_url: &'a str,
    action: &'a str,
    address: String,
    status: &'a str,
    paused: bool,
    notice: Option<&'a str>,
    error: Option<&'a str>,
    form: TokenForm,
    all: bool,
    themes: Vec<Choice>,
    programmes: Vec<Choice>,
    frequencies: Vec<Choice>,
    formats: Vec<Choice>,
}

fn topic_choices(topics: &[Topic], chosen: &[String]) -> Vec<Choice> {
    topics
        .iter()
        .map(|t| Choice {
            slug: t.slug.clone(),
            name: t.name.clone(),
            checked: chosen.contains(&t.slug),
        })
        .collect()
}

fn frequency_choices(chosen: Frequency) -> Vec<Choice> {
    Frequency::ALL
        .into_iter()
        .map(|f| Choice {
            slug: f.as_str().to_owned(),
            name: match f {
                Frequency::Daily => "Daily",
                Frequency::Weekly => "Weekly (Mondays)",
                Frequency::Monthly => "Monthly",
            }
            .to_owned(),
            checked: f == chosen,
        })
        .collect()
}

fn format_choices(chosen: MailFormat) -> Vec<Choice> {
    [
        (MailFormat::Html, "html", "HTML (with a plain-text part)"),
        (MailFormat::Text, "text", "Plain text only"),
    ]
    .into_iter()
    .map(|(f, slug, name)| Choice {
        slug: slug.to_owned(),
        name: name.to_owned(),
        checked: f == chosen,
    })
    .collect()
}

/// An HTML page: never cached, never framed, its URL (which may hold a
/// token) not sent on as a referrer.
fn html(status: u16, page: &impl Template) -> Response {
    let Ok(body) = page.render() else {
        return text_page(500, "Internal Server Error");
    };
    let mut response = with_status(Response::new(Body::from(body)), status);
    add_header(&mut response, "Content-Type", "text/html; charset=utf-8");
    add_header(&mut response, "Cache-Control", "no-store");
    add_header(&mut response, "Referrer-Policy", "no-referrer");
    add_header(&mut response, "X-Frame-Options", "DENY");
    add_header(
        &mut response,
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    );
    response
}

fn message(app: &App, status: u16, heading: &str, text: String) -> Response {
    html(
        status,
        &MessagePage {
            heading,
            site_title: &app.site_title,
            site_url: &app.site_url,
            message: text,
            form: None,
            link: None,
        },
    )
}

/// The key/value pairs of a query or a form body, decoded.
fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

fn token_of(pairs: &[(String, String)]) -> Option<Token> {
    Token::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Reads a form body (up to [`MAX_FORM`]); `None`: too large or cut off.
async fn form(body: Body) -> Option<Vec<(String, String)>> {
    body::to_bytes(body, MAX_FORM).await.ok().map(|b| pairs(&b))
}

/// The choices a form made (unknown slugs dropped, duplicates once, in
/// taxonomy order).
fn choices_of(app: &App, pairs: &[(String, String)]) -> Choices {
    let picked = |key: &str, topics: &[Topic]| {
        let wanted: BTreeSet<&str> = pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        topics
            .iter()
            .filter(|t| wanted.contains(t.slug.as_str()))
            .map(|t| t.slug.clone())
            .collect::<Vec<_>>()
    };
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    Choices {
        all: value("all").is_some(),
        themes: picked("theme", &app.themes),
        programmes: picked("programme", &app.programmes),
        frequency: value("frequency")
            .and_then(|f| f.parse().ok())
            .unwrap_or(Frequency::Weekly),
        format: match value("format") {
            Some("text") => MailFormat::Text,
            _ => MailFormat::Html,
        },
    }
}

/// Counts a POST against the client's limit; the `429` to give past it.
async fn over_ip_limit(app: &Arc<App>, client: Option<ClientAddr>) -> Option<Response> {
    let ip = client.map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let limits = app.limits;
    let store_app = Arc::clone(app);
    let within = tokio::task::spawn_blocking(move || {
        store_app.store.rate_hit(
            "post-ip",
            &ip,
            limits.ip_window_secs,
            limits.per_ip,
            Utc::now().timestamp(),
        )
    })
    .await;
    match within {
        Ok(Ok(true)) => None,
        Ok(Ok(false)) => {
            let mut response = message(
                app,
                429,
                "Too many requests",
                "Too many requests from your network. Please try again in an hour.".to_owned(),
            );
            add_header(
                &mut response,
                "Retry-After",
                &limits.ip_window_secs.to_string(),
            );
            Some(response)
        }
        _ => Some(text_page(500, "Internal Server Error")),
    }
}

fn subscribe_form(
    app: &App,
    status: u16,
    email: String,
    error: Option<String>,
    c: &Choices,
) -> Response {
    html(
        status,
        &SubscribePage {
            heading: "Subscribe to the email digest",
            site_title: &app.site_title,
            site_url: &app.site_url,
            action: "subscribe",
            email,
            error,
            all: c.all,
            themes: topic_choices(&app.themes, &c.themes),
            programmes: topic_choices(&app.programmes, &c.programmes),
            frequencies: frequency_choices(c.frequency),
            formats: format_choices(c.format),
        },
    )
}

/// `GET /subscribe[?theme=slug|programme=slug]`: the full form, the
/// topic a site page linked from checked.
async fn subscribe_page(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let query = pairs(uri.query().unwrap_or("").as_bytes());
    let choices = choices_of(&app, &query);
    subscribe_form(&app, 200, String::new(), None, &choices)
}

/// The one answer to every sign-up that is well formed.
fn check_your_inbox(app: &App) -> Response {
    message(
        app,
        200,
        "Check your inbox",
        "If this address can receive our digest, a mail is on its way to it. Open the link in it to confirm your subscription; until then nothing is sent. The link works for 7 days.".to_owned(),
    )
}

/// `POST /subscribe`: a pending subscription and one confirmation mail;
/// the same answer whatever the address's state.
async fn subscribe(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    Extension(log): Extension<Log>,
    body: Body,
) -> Response {
    let client = client.map(|Extension(c)| c);
    if let Some(answer) = over_ip_limit(&app, client).await {
        return answer;
    }
    let Some(fields) = form(body).await else {
        return text_page(413, "Content Too Large");
    };
    let value = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    // A bot fills every field; a person never sees this one.
    if value("website").is_some_and(|v| !v.is_empty()) {
        return check_your_inbox(&app);
    }
    let choices = choices_of(&app, &fields);
    let typed = value("email").unwrap_or("").trim().to_owned();
    let address = match parse_address(&typed) {
        Ok(a) => a,
        Err(_) => {
            return subscribe_form(
                &app,
                400,
                typed,
                Some("That is not an email address we can send to.".to_owned()),
                &choices,
            )
        }
    };
    if !choices.all && choices.themes.is_empty() && choices.programmes.is_empty() {
        return subscribe_form(
            &app,
            400,
            typed,
            Some("Choose at least one theme or programme, or All stories.".to_owned()),
            &choices,
        );
    }
    // The page the form was on (`page:/themes/drugs/`), for the consent record.
    let form = match value("form") {
        Some(page) if page.len() <= 200 && !page.chars().any(char::is_control) => {
            format!("web:{page}")
        }
        _ => "web:unknown".to_owned(),
    };
    let request = SignUp {
        display: address.to_string(),
        follows_all: choices.all,
        themes: if choices.all {
            Vec::new()
        } else {
            choices.themes
        },
        programmes: if choices.all {
            Vec::new()
        } else {
            choices.programmes
        },
        frequency: choices.frequency,
        format: choices.format,
        form,
        ip: client.map(|c| c.0.ip().to_string()),
        mails_per_day: app.limits.mails_per_address_per_day,
    };
    let store_app = Arc::clone(&app);
    let done = tokio::task::spawn_blocking(move || {
        store_app.store.sign_up(&request, Utc::now().timestamp())
    })
    .await;
    match done {
        Ok(Ok(_)) => {
            app.wake_mailer();
            check_your_inbox(&app)
        }
        Ok(Err(e)) => {
            log.line(format!("subscribe: {e}"));
            text_page(500, "Internal Server Error")
        }
        Err(_) => text_page(500, "Internal Server Error"),
    }
}

/// The page for a refused token: `400` expired, `403` forged.
fn bad_token(app: &App, error: TokenError) -> Response {
    match error {
        TokenError::Expired => message(
            app,
            400,
            "This link has expired",
            "Links in our mails work for a limited time. Sign up again, or use the link in a recent digest.".to_owned(),
        ),
        TokenError::Forged => message(
            app,
            403,
            "This link is not valid",
            "The link may have been cut or changed. Copy the whole link from the mail.".to_owned(),
        ),
    }
}

/// What every signed POST checks first: the client's limit, the form, and
/// its token for `purpose`; the answer to give when one fails.
async fn signed_form(
    app: &Arc<App>,
    client: Option<ClientAddr>,
    body: Body,
    purpose: Purpose,
) -> Result<(Vec<(String, String)>, Token), Response> {
    if let Some(answer) = over_ip_limit(app, client).await {
        return Err(answer);
    }
    let Some(fields) = form(body).await else {
        return Err(text_page(413, "Content Too Large"));
    };
    match verified(app, &fields, purpose) {
        Ok(token) => Ok((fields, token)),
        Err(e) => Err(bad_token(app, e)),
    }
}

fn verified(app: &App, pairs: &[(String, String)], purpose: Purpose) -> Result<Token, TokenError> {
    let token = token_of(pairs).ok_or(TokenError::Forged)?;
    token.verify(&app.secret, purpose, Utc::now().timestamp())?;
    Ok(token)
}

fn manage_link(app: &App, address: &str) -> String {
    let token = tokens::sign(
        &app.secret,
        address,
        Purpose::Manage,
        Utc::now().timestamp() + MANAGE_DAYS * 86_400,
    );
    tokens::link(&app.app_url, "preferences", &token)
}

/// `GET /confirm?a=…&e=…&t=…`: a button; confirms nothing.
async fn confirm_page(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let query = pairs(uri.query().unwrap_or("").as_bytes());
    let token = match verified(&app, &query, Purpose::Confirm) {
        Ok(t) => t,
        Err(e) => return bad_token(&app, e),
    };
    html(
        200,
        &MessagePage {
            heading: "Confirm your subscription",
            site_title: &app.site_title,
            site_url: &app.site_url,
            message: format!(
                "Press the button to start the email digest to {}.",
                token.address
            ),
            form: Some(TokenForm {
                action: "confirm".to_owned(),
                address: token.address,
                expires: token.expires,
                mac: token.mac,
                button: "Confirm my subscription".to_owned(),
            }),
            link: None,
        },
    )
}

/// `POST /confirm` (the token in the form): the subscription is confirmed.
async fn confirm(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    Extension(log): Extension<Log>,
    body: Body,
) -> Response {
    let client = client.map(|Extension(c)| c);
    let (_, token) = match signed_form(&app, client, body, Purpose::Confirm).await {
        Ok(signed) => signed,
        Err(answer) => return answer,
    };
    let store_app = Arc::clone(&app);
    let address = token.address.clone();
    let ip = client.map(|c| c.0.ip().to_string());
    let done = tokio::task::spawn_blocking(move || {
        store_app
            .store
            .confirm_subscription(&address, ip.as_deref())
    })
    .await;
    match done {
        Ok(Ok(true)) => html(
            200,
            &MessagePage {
                heading: "You are subscribed",
                site_title: &app.site_title,
                site_url: &app.site_url,
                message: format!(
                    "Thank you. The email digest will go to {} from its next issue.",
                    token.address
                ),
                form: None,
                link: Some(manage_link(&app, &token.address)),
            },
        ),
        Ok(Ok(false)) => message(
            &app,
            404,
            "Nothing to confirm",
            "This sign-up no longer exists (its data was deleted). Sign up again to subscribe."
                .to_owned(),
        ),
        Ok(Err(e)) => {
            log.line(format!("confirm: {e}"));
            text_page(500, "Internal Server Error")
        }
        Err(_) => text_page(500, "Internal Server Error"),
    }
}

fn preferences_form(
    app: &App,
    token: &Token,
    row: &SubscriberRow,
    notice: Option<&str>,
    error: Option<&str>,
    status: u16,
) -> Response {
    let status_text = if row.status == "unsubscribed" {
        "unsubscribed (save your choices to subscribe again)"
    } else if row.status == "pending" {
        "waiting for confirmation"
    } else if row.paused {
        "paused"
    } else {
        "active"
    };
    html(
        status,
        &PreferencesPage {
            heading: "Manage your subscription",
            site_title: &app.site_title,
            site_url: &app.site_url,
            action: "preferences",
            address: row.display.clone(),
            status: status_text,
            paused: row.paused,
            notice,
            error,
            form: TokenForm {
                action: "preferences".to_owned(),
                address: token.address.clone(),
                expires: token.expires,
                mac: token.mac.clone(),
                button: String::new(),
            },
            all: row.follows_all,
            themes: topic_choices(&app.themes, &row.themes),
            programmes: topic_choices(&app.programmes, &row.programmes),
            frequencies: frequency_choices(row.frequency),
            formats: format_choices(row.format),
        },
    )
}

fn no_subscription(app: &App) -> Response {
    message(
        app,
        404,
        "No subscription",
        "There is no subscription for this address any more. You can sign up again on the site."
            .to_owned(),
    )
}

/// `GET /preferences?a=…&e=…&t=…`: the subscriber's choices, as a form.
async fn preferences_page(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let query = pairs(uri.query().unwrap_or("").as_bytes());
    let token = match verified(&app, &query, Purpose::Manage) {
        Ok(t) => t,
        Err(e) => return bad_token(&app, e),
    };
    let store_app = Arc::clone(&app);
    let address = token.address.clone();
    let row = tokio::task::spawn_blocking(move || store_app.store.subscriber(&address)).await;
    match row {
        Ok(Ok(Some(row))) => preferences_form(&app, &token, &row, None, None, 200),
        Ok(Ok(None)) => no_subscription(&app),
        _ => text_page(500, "Internal Server Error"),
    }
}

/// What a preference form asks.
enum Action {
    Save(Choices),
    Pause,
    Resume,
    Unsubscribe,
    Delete,
}

/// `POST /preferences` (the token in the form, `action` the button).
async fn preferences(
    State(app): State<Arc<App>>,
    client: Option<Extension<ClientAddr>>,
    Extension(log): Extension<Log>,
    body: Body,
) -> Response {
    let client = client.map(|Extension(c)| c);
    let (fields, token) = match signed_form(&app, client, body, Purpose::Manage).await {
        Ok(signed) => signed,
        Err(answer) => return answer,
    };
    let action = match fields
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
    {
        Some("save") => Action::Save(choices_of(&app, &fields)),
        Some("pause") => Action::Pause,
        Some("resume") => Action::Resume,
        Some("unsubscribe") => Action::Unsubscribe,
        Some("delete") => Action::Delete,
        _ => return text_page(400, "Bad Request"),
    };
    if let Action::Save(c) = &action {
        if !c.all && c.themes.is_empty() && c.programmes.is_empty() {
            let store_app = Arc::clone(&app);
            let address = token.address.clone();
            let row =
                tokio::task::spawn_blocking(move || store_app.store.subscriber(&address)).await;
            return match row {
                Ok(Ok(Some(row))) => preferences_form(
                    &app,
                    &token,
                    &row,
                    None,
                    Some(
                        "Choose at least one theme or programme, or All stories (or unsubscribe).",
                    ),
                    400,
                ),
                Ok(Ok(None)) => no_subscription(&app),
                _ => text_page(500, "Internal Server Error"),
            };
        }
    }
    let store_app = Arc::clone(&app);
    let address = token.address.clone();
    let ip = client.map(|c| c.0.ip().to_string());
    let done = tokio::task::spawn_blocking(move || {
        let store = &store_app.store;
        let found = match &action {
            Action::Save(c) => {
                let found = store.update_preferences(
                    &address,
                    c.all,
                    if c.all { &[] } else { &c.themes },
                    if c.all { &[] } else { &c.programmes },
                    c.frequency,
                    c.format,
                )?;
                // Saving after unsubscribing is a new consent from the
                // address's owner (the token proves it).
                if found
                    && store
                        .subscriber(&address)?
                        .is_some_and(|r| r.status != "confirmed")
                {
                    store.confirm_subscription(&address, ip.as_deref())?;
                }
                found
            }
            Action::Pause => store.set_paused(&address, true)?,
            Action::Resume => store.set_paused(&address, false)?,
            Action::Unsubscribe => {
                let found = store.subscriber(&address)?.is_some();
                store.unsubscribe(&address, "preferences")?;
                found
            }
            Action::Delete => store.forget(&address)?,
        };
        let row = store.subscriber(&address)?;
        Ok::<_, crate::store::StoreError>((action, found, row))
    })
    .await;
    let (action, found, row) = match done {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            log.line(format!("preferences: {e}"));
            return text_page(500, "Internal Server Error");
        }
        Err(_) => return text_page(500, "Internal Server Error"),
    };
    match (action, row) {
        (Action::Delete, _) if found => message(
            &app,
            200,
            "Your data is deleted",
            format!(
                "{} and its choices and consent records are gone from our list. No more digests will be sent.",
                token.address
            ),
        ),
        (Action::Unsubscribe, _) => message(
            &app,
            200,
            "Unsubscribed",
            format!("{} will receive no more digests.", token.address),
        ),
        (action, Some(row)) if found => {
            let notice = match action {
                Action::Save(_) => "Your choices are saved.",
                Action::Pause => "Digests are paused until you resume them.",
                Action::Resume => "Digests will go out again.",
                _ => "Done.",
            };
            preferences_form(&app, &token, &row, Some(notice), None, 200)
        }
        _ => no_subscription(&app),
    }
}
