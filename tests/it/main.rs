//! The one integration-test binary: the parser on the real archives, the
//! CLI run as a user runs it, property tests on arbitrary input, the site,
//! and digests sent to a real SMTP server.

mod cache;
mod classify;
mod cli;
mod corpus;
mod digest;
mod digest_render;
mod expected_corpus;
mod hostile;
mod layouts;
mod props;
mod serve;
mod site;
mod smtp;
mod smtp_server;
