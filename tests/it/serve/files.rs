//! Files served: types, validators and 304, index pages, refusals (nothing
//! outside the root, not the build's own files), other methods, bad input.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

use super::{exchange, request, send_raw, set_mtime, Site, ATOM, INDEX, JSON, OPML, OUTSIDE, RSS};

#[test]
fn binds_to_localhost_on_a_free_port() {
    let site = Site::new();
    let addr = site.addr();
    assert!(addr.ip().is_loopback(), "{addr}");
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_ne!(addr.port(), 0);
}

#[test]
fn serves_each_file_with_its_type_and_validators() {
    let site = Site::new();
    for (target, media_type, content) in [
        ("/feeds/all.rss", "application/rss+xml", RSS),
        ("/feeds/all.atom", "application/atom+xml", ATOM),
        ("/feeds/all.json", "application/feed+json", JSON),
        ("/index.html", "text/html", INDEX),
        ("/feeds.opml", "text/x-opml", OPML),
    ] {
        let reply = site.get(target, &[]);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.text(), content, "{target}");
        let content_type = reply.header("Content-Type").unwrap();
        assert_eq!(
            content_type,
            format!("{media_type}; charset=utf-8"),
            "{target}"
        );
        assert_eq!(
            reply.header("Content-Length"),
            Some(content.len().to_string().as_str()),
            "{target}"
        );
        let etag = reply.header("ETag").expect("ETag");
        assert!(
            etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
            "strong, quoted: {etag}"
        );
        let last_modified = reply.header("Last-Modified").expect("Last-Modified");
        httpdate::parse_http_date(last_modified).expect("an HTTP date");
        assert_eq!(reply.header("Cache-Control"), Some("no-cache"));
        // Unchanged file, same validator.
        assert_eq!(site.get(target, &[]).header("ETag"), Some(etag));
    }
}

#[test]
fn root_and_directories_serve_their_index() {
    let site = Site::new();
    for target in ["/", "/?utm_source=reader", "http://127.0.0.1/"] {
        let reply = site.get(target, &[]);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.text(), INDEX);
        assert_eq!(
            reply.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
    }
    // A directory without its slash is redirected so relative links work.
    let reply = site.get("/feeds", &[]);
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Location"), Some("/feeds/"));
    // ...and one without an index.html is simply not found.
    assert_eq!(site.get("/feeds/", &[]).status, 404);
    fs::write(site.path("feeds/index.html"), "feeds index").unwrap();
    assert_eq!(site.get("/feeds/", &[]).text(), "feeds index");
}

#[test]
fn query_strings_and_escapes_are_handled() {
    let site = Site::new();
    let reply = site.get("/feeds/all.rss?since=2024", &[]);
    assert_eq!((reply.status, reply.text().as_str()), (200, RSS));
    let reply = site.get("/feeds/all%2Erss", &[]);
    assert_eq!((reply.status, reply.text().as_str()), (200, RSS));
    fs::write(site.path("a b é.txt"), "spaced").unwrap();
    let reply = site.get("/a%20b%20%C3%A9.txt", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "spaced");
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn missing_files_get_a_short_html_404() {
    let site = Site::new();
    let reply = site.get("/feeds/nope.rss", &[]);
    assert_eq!(reply.status, 404);
    assert!(reply
        .header("Content-Type")
        .unwrap()
        .starts_with("text/html"));
    assert!(reply.text().contains("404"), "{}", reply.text());
    assert!(reply.body.len() < 512);
}

#[test]
fn head_gives_the_headers_without_a_body() {
    let site = Site::new();
    let get = site.get("/feeds/all.atom", &[]);
    let head = request(site.addr(), "HEAD", "/feeds/all.atom", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "{head:?}");
    for name in ["Content-Type", "Content-Length", "ETag", "Last-Modified"] {
        assert!(head.header(name).is_some(), "{name}");
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
    let missing = request(site.addr(), "HEAD", "/nope", &[]);
    assert_eq!(missing.status, 404);
    assert!(missing.body.is_empty());
}

#[test]
fn conditional_requests_get_304_without_a_body() {
    let site = Site::new();
    let first = site.get("/feeds/all.rss", &[]);
    let etag = first.header("ETag").unwrap().to_owned();
    let last_modified = first.header("Last-Modified").unwrap().to_owned();

    let weak = format!("W/{etag}");
    let listed = format!("\"nope\", {etag}");
    for value in [etag.as_str(), weak.as_str(), listed.as_str(), "*"] {
        let reply = site.get("/feeds/all.rss", &[("If-None-Match", value)]);
        assert_eq!(reply.status, 304, "If-None-Match: {value}");
        assert!(reply.body.is_empty(), "{reply:?}");
        assert_eq!(reply.header("ETag"), Some(etag.as_str()));
        assert_eq!(reply.header("Last-Modified"), Some(last_modified.as_str()));
    }
    let head = request(
        site.addr(),
        "HEAD",
        "/feeds/all.rss",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(head.status, 304);
    assert!(head.body.is_empty());

    let reply = site.get("/feeds/all.rss", &[("If-Modified-Since", &last_modified)]);
    assert_eq!(reply.status, 304);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("ETag"), Some(etag.as_str()));

    let earlier = SystemTime::now() - Duration::from_secs(3600 * 24);
    let earlier = httpdate::fmt_http_date(earlier);
    let reply = site.get("/feeds/all.rss", &[("If-Modified-Since", &earlier)]);
    assert_eq!((reply.status, reply.text().as_str()), (200, RSS));

    let reply = site.get("/feeds/all.rss", &[("If-Modified-Since", "not a date")]);
    assert_eq!(reply.status, 200);

    // If-None-Match wins over If-Modified-Since, whichever way it goes.
    let reply = site.get(
        "/feeds/all.rss",
        &[
            ("If-None-Match", "\"other\""),
            ("If-Modified-Since", &last_modified),
        ],
    );
    assert_eq!((reply.status, reply.text().as_str()), (200, RSS));
    let reply = site.get(
        "/feeds/all.rss",
        &[("If-None-Match", &etag), ("If-Modified-Since", &earlier)],
    );
    assert_eq!(reply.status, 304);
}

#[test]
fn a_changed_file_gets_a_new_etag_and_a_200() {
    let site = Site::new();
    let path = site.path("feeds/all.json");
    let old_time = SystemTime::now() - Duration::from_secs(600);
    set_mtime(&path, old_time);
    let first = site.get("/feeds/all.json", &[]);
    let etag = first.header("ETag").unwrap().to_owned();
    let last_modified = first.header("Last-Modified").unwrap().to_owned();
    assert_eq!(
        site.get("/feeds/all.json", &[("If-None-Match", &etag)])
            .status,
        304
    );

    let changed = JSON.replace("\"items\":[]", "\"items\":[{\"id\":\"1\"}]");
    fs::write(&path, &changed).unwrap();
    set_mtime(&path, old_time + Duration::from_secs(300));

    let reply = site.get("/feeds/all.json", &[("If-None-Match", &etag)]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), changed);
    let new_etag = reply.header("ETag").unwrap();
    assert_ne!(new_etag, etag);
    assert_ne!(reply.header("Last-Modified").unwrap(), last_modified);
    let reply = site.get("/feeds/all.json", &[("If-Modified-Since", &last_modified)]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), changed);

    // Same size, only the time changed: still a new validator.
    let touched = site
        .get("/feeds/all.json", &[])
        .header("ETag")
        .unwrap()
        .to_owned();
    set_mtime(&path, old_time + Duration::from_secs(301));
    let reply = site.get("/feeds/all.json", &[("If-None-Match", &touched)]);
    assert_eq!(reply.status, 200);
}

#[test]
fn the_build_cache_and_temporary_files_are_not_served() {
    let site = Site::new();
    fs::write(site.path(".storyfeed-cache"), "cache").unwrap();
    fs::write(site.path("feeds/.storyfeed-x1.tmp"), "half").unwrap();
    fs::create_dir(site.path(".well-known")).unwrap();
    fs::write(site.path(".well-known/security.txt"), "Contact: x").unwrap();
    for target in [
        "/.storyfeed-cache",
        "/%2estoryfeed-cache",
        "/feeds/.storyfeed-x1.tmp",
    ] {
        let reply = site.get(target, &[]);
        assert_eq!(reply.status, 404, "{target}: {reply:?}");
    }
    // Other dotfiles are the site's own business.
    assert_eq!(site.get("/.well-known/security.txt", &[]).status, 200);
}

#[test]
fn nothing_outside_the_root_is_reachable() {
    let site = Site::new();
    let absolute = site.dir.path().join("outside.txt");
    let absolute = absolute.to_str().unwrap();
    let mut targets = vec![
        "/../outside.txt".to_owned(),
        "/%2e%2e/outside.txt".to_owned(),
        "/%2E%2E/outside.txt".to_owned(),
        "/%2E./outside.txt".to_owned(),
        "/.%2e/outside.txt".to_owned(),
        "/feeds/../../outside.txt".to_owned(),
        "/feeds/..%2f..%2foutside.txt".to_owned(),
        "/feeds/..%2F..%2Foutside.txt".to_owned(),
        "/feeds/%2e%2e%2f%2e%2e%2foutside.txt".to_owned(),
        "/..\\outside.txt".to_owned(),
        "/..%5coutside.txt".to_owned(),
        "/feeds/..%5C..%5Coutside.txt".to_owned(),
        "/%252e%252e/outside.txt".to_owned(),
        "/%c0%ae%c0%ae/outside.txt".to_owned(),
        "/./../outside.txt".to_owned(),
        "/.../outside.txt".to_owned(),
        "//../outside.txt".to_owned(),
        "/feeds//../../outside.txt".to_owned(),
        "/%2f..%2foutside.txt".to_owned(),
        "/..%00/outside.txt".to_owned(),
        "/outside.txt%00.html".to_owned(),
        "/..;/outside.txt".to_owned(),
        "http://127.0.0.1/../outside.txt".to_owned(),
        "../outside.txt".to_owned(),
        "outside.txt".to_owned(),
        format!("/{absolute}"),
        format!("/%2f{}", absolute.trim_start_matches('/')),
        absolute.to_owned(),
    ];
    if cfg!(unix) {
        // Symlinks inside the root that point outside it.
        targets.extend(
            [
                "/inner/",
                "/inner/index.html",
                "/leak.txt",
                "/feeds/leak.rss",
                "/up/outside.txt",
                "/up/site/../outside.txt",
            ]
            .map(str::to_owned),
        );
    }
    for target in &targets {
        for method in ["GET", "HEAD"] {
            let reply = request(site.addr(), method, target, &[]);
            // Not a request-target at all (RFC 9112 3.2): hyper refuses it
            // with 400 before any routing.
            let refused = if target == "../outside.txt" { 400 } else { 404 };
            assert_eq!(reply.status, refused, "{method} {target}: {reply:?}");
            assert!(!reply.text().contains(OUTSIDE), "{method} {target} leaked");
        }
    }
    // The same file asked for properly from inside is there, so the 404s
    // above are the guards at work, not a broken server.
    fs::copy(site.dir.path().join("outside.txt"), site.path("inside.txt")).unwrap();
    assert_eq!(site.get("/inside.txt", &[]).text(), OUTSIDE);
}

#[cfg(unix)]
#[test]
fn symlinks_within_the_root_are_followed() {
    let site = Site::new();
    let reply = site.get("/alias.rss", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), RSS);
    assert_eq!(
        reply.header("Content-Type"),
        Some("application/rss+xml; charset=utf-8")
    );
}

#[test]
fn other_methods_get_405_with_allow() {
    let site = Site::new();
    for (method, target) in [
        ("POST", "/feeds/all.rss"),
        ("POST", "/unsubscribe"),
        ("PUT", "/index.html"),
        ("DELETE", "/index.html"),
        ("PATCH", "/"),
        ("OPTIONS", "*"),
        ("TRACE", "/"),
        ("BREW", "/pot"),
    ] {
        let reply = request(site.addr(), method, target, &[("Content-Length", "0")]);
        assert_eq!(reply.status, 405, "{method} {target}");
        assert_eq!(reply.header("Allow"), Some("GET, HEAD"), "{method}");
    }
    // A POST with a body, the way a one-click unsubscribe arrives.
    let body = "List-Unsubscribe=One-Click";
    let raw = format!(
        "POST /unsubscribe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let reply = exchange(site.addr(), raw.as_bytes()).unwrap();
    assert_eq!(reply.status, 405);
    // Nothing was written.
    assert!(!site.path("unsubscribe").exists());
}

#[test]
fn keep_alive_connections_answer_each_request() {
    let site = Site::new();
    let raw = "GET /feeds/all.rss HTTP/1.1\r\nHost: x\r\n\r\n\
               HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n\
               GET /feeds.opml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let mut stream = TcpStream::connect(site.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.matches("HTTP/1.1 200 OK\r\n").count(), 3, "{text}");
    assert!(text.contains(RSS) && text.ends_with(OPML), "{text}");
    assert!(!text.contains(INDEX), "HEAD sent a body: {text}");
}

#[test]
fn garbage_does_not_stop_the_server() {
    let site = Site::new();
    let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100_000));
    let long_header = format!(
        "GET / HTTP/1.1\r\nX-Long: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(100_000)
    );
    let garbage: Vec<Vec<u8>> = [
        &b""[..],
        b"\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n",
        b"GET / FTP/1.1\r\n\r\n",
        b"GET  /  HTTP/1.1\r\n\r\n",
        b"G\xc3\xa9T / HTTP/1.1\r\n\r\n",
        b"GET /\xff\xfe\x00 HTTP/1.1\r\n\r\n",
        b"GET /\x1b[31mred HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET /a\rb HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET /%%% HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET /%e2%82 HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET * HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET http:// HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET http://[::1 HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET ? HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nIf-None-Match: W/\r\nIf-Modified-Since: \xff\r\n\r\n",
        b"GET / HTTP/1.1\r\nIf-None-Match: \"\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nIf-Modified-Since: Fri, 31 Dec 99999 23:59:59 GMT\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
        b"GET / HTTP/1.1\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n",
        b"\x00\x01\x02\x03\xff\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        long_line.as_bytes(),
        long_header.as_bytes(),
    ]
    .iter()
    .map(|g| g.to_vec())
    .collect();
    for raw in &garbage {
        // hyper answers garbage with 400 (or 431, 505) and closes; a
        // connection that hangs is cut by the server's timeouts.
        let answer = send_raw(site.addr(), raw, Duration::from_secs(2));
        if let Ok(bytes) = answer {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(OUTSIDE) && (text.is_empty() || text.starts_with("HTTP/1.1 ")),
                "{:?}: {text}",
                String::from_utf8_lossy(raw)
            );
        }
        let reply = site.get("/feeds/all.rss", &[]);
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (200, RSS),
            "after {:?}",
            String::from_utf8_lossy(&raw[..raw.len().min(80)])
        );
    }
    // A client that connects and vanishes without a word.
    drop(TcpStream::connect(site.addr()).unwrap());
    assert_eq!(site.get("/", &[]).status, 200);
}

/// A GET with `Accept-Encoding`, through ureq (compressed answers are
/// chunked): status, headers and the body as sent.
fn get_encoded(
    site: &Site,
    path: &str,
    encoding: &str,
    extra: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent
        .get(format!("http://{}{path}", site.addr()))
        .header("Accept-Encoding", encoding);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let mut response = request.call().unwrap();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_vec().unwrap();
    (status, headers, body)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn text_is_compressed_for_clients_that_ask() {
    let site = Site::new();
    let page = format!("<!DOCTYPE html><p>{}</p>\n", "story ".repeat(2000));
    fs::write(site.path("page.html"), &page).unwrap();
    let plain = site.get("/page.html", &[]);
    let strong = plain.header("ETag").unwrap().to_owned();

    let (status, headers, body) = get_encoded(&site, "/page.html", "gzip", &[]);
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "Content-Encoding"), Some("gzip"));
    assert!(header(&headers, "Vary")
        .unwrap()
        .contains("accept-encoding"));
    assert!(body.len() < page.len() / 10, "{} bytes", body.len());
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, page);
    // Another representation: a weak validator, still good for a 304.
    let weak = header(&headers, "ETag").unwrap().to_owned();
    assert_eq!(weak, format!("W/{strong}"));
    let (status, _, body) = get_encoded(&site, "/page.html", "gzip", &[("If-None-Match", &weak)]);
    assert_eq!((status, body.len()), (304, 0));

    let (_, headers, body) = get_encoded(&site, "/page.html", "br", &[]);
    assert_eq!(header(&headers, "Content-Encoding"), Some("br"));
    let mut unbrotlied = String::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_string(&mut unbrotlied)
        .unwrap();
    assert_eq!(unbrotlied, page);

    // Not asked, or not text: as it is.
    fs::write(site.path("logo.png"), vec![7u8; 4096]).unwrap();
    let (_, headers, body) = get_encoded(&site, "/logo.png", "gzip, br", &[]);
    assert_eq!(header(&headers, "Content-Encoding"), None);
    assert_eq!(body, vec![7u8; 4096]);
    let (_, headers, body) = get_encoded(&site, "/page.html", "identity", &[]);
    assert_eq!(header(&headers, "Content-Encoding"), None);
    assert_eq!(body, page.as_bytes());
}
