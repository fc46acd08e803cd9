//! storyfeed: UNODC news-story archives in, feeds and email digests out.
//!
//! One module a stage: [`parse`] turns archives into [`story::Story`]
//! values, [`classify`] gives them themes and programmes, [`feed`] writes
//! the static site of feeds and pages, [`serve`] serves it locally. The
//! binary in `main.rs` is a thin layer over this library.

pub mod build;
pub mod cache;
pub mod catalog;
pub mod classify;
pub mod config;
pub mod digest;
pub mod feed;
pub mod fs;
pub mod location;
pub mod parse;
pub mod serve;
pub mod story;
