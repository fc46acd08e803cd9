//! The one integration-test binary: the parser on the real archives, the
//! CLI run as a user runs it (`harness`: the executable in a fresh
//! directory), property tests on arbitrary input, the site, digests sent to
//! a real SMTP server, and snapshots of a feed, a page and a digest.

mod archives;
mod backends;
mod bad_input;
mod bounces;
mod cache;
mod changes;
mod classify;
mod classify_labels;
mod cli;
mod corpus;
mod corrections;
mod dates;
mod detection;
mod digest;
mod digest_render;
mod dkim;
mod dns_server;
mod doctor;
mod doctor_dns;
mod expected_corpus;
mod expected_pages;
mod explain;
mod harness;
mod hostile;
mod layouts;
mod pages;
mod props;
mod serve;
mod signup;
mod site;
mod smtp;
mod smtp_server;
mod smtp_tls;
mod snapshots;
mod store;
mod subscribers;
mod tls_server;
mod unsubscribe;
mod websub;
