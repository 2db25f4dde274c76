//! `walletbook note add|list|remove`: the accountant's notes on a
//! transaction (or, with `--wallet`, on a wallet). `list` shows each note's
//! id, which `remove` takes, with the transaction's tags and reviewed mark.

use walletbook_review::annotations::{self, current_actor, Note, NoteTarget};

use super::history::{cut, json};
use super::review::local_time;
use crate::cli_error::{CliError, CliResult};
use crate::context::Context;

#[derive(clap::Subcommand)]
pub enum NoteCommand {
    /// Add a note to a transaction (the `id` that `walletbook history --format json` prints).
    Add {
        #[arg(value_name = "TRANSACTION_ID")]
        id: i64,
        /// The note's text (up to 4,000 characters).
        text: String,
        #[command(flatten)]
        opts: NoteOpts,
    },
    /// List a transaction's notes (with their ids), tags and reviewed mark.
    List {
        #[arg(value_name = "TRANSACTION_ID")]
        id: i64,
        #[command(flatten)]
        opts: NoteOpts,
    },
    /// Remove one of a transaction's notes, by the note id `note list` shows.
    Remove {
        #[arg(value_name = "TRANSACTION_ID")]
        id: i64,
        note_id: i64,
        #[command(flatten)]
        opts: NoteOpts,
    },
}

#[derive(clap::Args)]
pub struct NoteOpts {
    /// The id is a wallet's (see `walletbook wallets`), not a transaction's.
    #[arg(long)]
    wallet: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

impl NoteOpts {
    fn target(&self, id: i64) -> NoteTarget {
        if self.wallet {
            NoteTarget::Wallet(id)
        } else {
            NoteTarget::Transaction(id)
        }
    }
}

fn describe(target: NoteTarget) -> String {
    match target {
        NoteTarget::Transaction(id) => format!("transaction {id}"),
        NoteTarget::Wallet(id) => format!("wallet {id}"),
    }
}

fn print_note(n: &Note) {
    let indent = format!("\n{:width$}", "", width = 6 + 2 + 19 + 2);
    println!("{:>6}  {}  {:<12}  {}", n.id, local_time(&n.created_at), cut(&n.created_by, 12), n.body.replace('\n', &indent));
}

pub async fn run(ctx: &Context, command: NoteCommand) -> CliResult {
    let cache = ctx.cache().await?;
    match command {
        NoteCommand::Add { id, text, opts } => {
            let note = annotations::add_note(&cache, opts.target(id), &text, &current_actor()).await?;
            if opts.json {
                return json(&note);
            }
            println!("Added note {} to {}.", note.id, describe(opts.target(id)));
        }
        NoteCommand::List { id, opts } => match opts.target(id) {
            NoteTarget::Transaction(tx) => {
                let a = annotations::transaction_annotations(&cache, tx).await?;
                if opts.json {
                    return json(&a);
                }
                println!("tags: {}", if a.tags.is_empty() { "-".to_string() } else { a.tags.join(", ") });
                match &a.reviewed {
                    Some(m) => println!("reviewed by {} at {}", m.reviewed_by, local_time(&m.reviewed_at)),
                    None => println!("not reviewed"),
                }
                a.notes.iter().for_each(print_note);
            }
            target => {
                let notes = annotations::notes(&cache, target).await?;
                if opts.json {
                    return json(&notes);
                }
                notes.iter().for_each(print_note);
            }
        },
        NoteCommand::Remove { id, note_id, opts } => {
            let target = opts.target(id);
            if !annotations::notes(&cache, target).await?.iter().any(|n| n.id == note_id) {
                let wallet = if opts.wallet { " --wallet" } else { "" };
                return Err(CliError::Usage(format!("Note {note_id} is not a note of {}; see its notes with `walletbook note list {id}{wallet}`", describe(target))));
            }
            let note = annotations::remove_note(&cache, note_id, &current_actor()).await?;
            if opts.json {
                return json(&note);
            }
            println!("Removed note {note_id} from {}.", describe(target));
        }
    }
    Ok(())
}
