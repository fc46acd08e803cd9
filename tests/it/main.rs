//! The one integration-test binary: the parser on the real archives, the
//! CLI run as a user runs it, and property tests on arbitrary input.

mod cache;
mod classify;
mod cli;
mod corpus;
mod expected_corpus;
mod layouts;
mod props;
mod serve;
mod site;
