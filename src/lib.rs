//! storyfeed: UNODC news-story archives in, feeds and email digests out.
//!
//! One module a stage: [`parse`] turns archives into [`story::Story`]
//! values. The binary in `main.rs` is a thin layer over this library.

pub mod config;
pub mod fs;
pub mod parse;
pub mod serve;
pub mod story;
