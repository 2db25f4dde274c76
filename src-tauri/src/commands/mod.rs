//! Tauri commands. Each one calls the core and maps its error; nothing else.

pub mod annotations;
pub mod app;
pub mod connections;
pub mod demo;
pub mod export;
pub mod export_paths;
pub mod import;
pub mod review;
pub mod settings;
pub mod shared_cache;
pub mod signoffs;
pub mod sync;
pub mod wallets;
