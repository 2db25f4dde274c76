//! Walletbook's desktop shell: window, state and the IPC commands. All logic
//! lives in the core crates; this crate wires them to the window.

pub mod commands;
pub mod error;
pub mod preferences;
pub mod shared_cache;
pub mod state;
pub mod sync_slot;

use state::AppState;

pub fn run() {
    let preferences = preferences::PreferenceStore::for_user();
    let credentials = walletbook_core::credentials::CredentialStore::from_env();
    let state = AppState::new(shared_cache::start_location(std::env::args_os().skip(1), &preferences, &credentials));
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .manage(preferences)
        .manage(commands::export_paths::GrantedPaths::default())
        .manage(commands::export::ExportJobs::default())
        // Put back what a sync killed half-way left changed at a provider (Exlr8's selected wallet).
        .setup(|app| {
            state::restore_interrupted_syncs(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::annotations::add_note,
            commands::annotations::add_tag,
            commands::annotations::all_tags,
            commands::annotations::audit_log,
            commands::annotations::list_notes,
            commands::annotations::mark_reviewed,
            commands::annotations::remove_note,
            commands::annotations::remove_tag,
            commands::annotations::transaction_annotations,
            commands::annotations::unmark_reviewed,
            commands::app::about,
            commands::app::app_info,
            commands::app::list_providers,
            commands::shared_cache::cache_location,
            commands::shared_cache::open_shared_cache,
            commands::shared_cache::test_shared_cache,
            commands::shared_cache::use_local_cache,
            commands::connections::add_connection,
            commands::connections::list_connections,
            commands::connections::remove_connection,
            commands::connections::stored_secret_keys,
            commands::connections::update_connection,
            commands::demo::load_demo,
            commands::export::export_cancel,
            commands::export::export_history,
            commands::export::export_statement,
            commands::export::export_statements,
            commands::export_paths::choose_folder,
            commands::export_paths::choose_open_file,
            commands::export_paths::choose_save_file,
            commands::import::import_file,
            commands::review::history_count,
            commands::review::history_page,
            commands::review::history_seek,
            commands::review::reconcile,
            commands::review::summarise,
            commands::review::transaction_detail,
            commands::settings::get_preferences,
            commands::settings::set_sync_concurrency,
            commands::signoffs::acknowledge_late_change,
            commands::signoffs::create_signoff,
            commands::signoffs::list_late_changes,
            commands::signoffs::list_signoffs,
            commands::signoffs::verify_signoffs,
            commands::sync::list_quarantine,
            commands::sync::list_runs,
            commands::sync::sync_cancel,
            commands::sync::sync_run,
            commands::sync::test_connection,
            commands::wallets::list_wallets,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Walletbook");
}
