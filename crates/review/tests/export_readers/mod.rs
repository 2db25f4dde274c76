//! Real readers for exported files: LibreOffice (headless) turns workbooks
//! back into CSV and flat ODS, poppler reads PDFs. Installed by
//! scripts/setup.sh (`libreoffice-calc-nogui`, `poppler-utils`); a missing
//! reader fails the test with the package to install.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(program: &str, args: &[&str], package: &str) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("cannot run {program} ({e}): install {package} (scripts/setup.sh)"));
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Convert `files` with LibreOffice in one start (`--convert-to target`),
/// into `out`, with a private profile so tests can run side by side.
fn soffice(files: &[&Path], target: &str, out: &Path) {
    soffice_with(files, &[], target, out)
}

fn soffice_with(files: &[&Path], extra: &[&str], target: &str, out: &Path) {
    let profile = tempfile::tempdir().expect("profile dir");
    let profile_url = format!("-env:UserInstallation=file://{}", profile.path().display());
    let mut args = vec![profile_url.as_str(), "--headless"];
    args.extend(extra);
    args.extend(["--convert-to", target, "--outdir", out.to_str().expect("utf-8 path")]);
    let names: Vec<&str> = files.iter().map(|f| f.to_str().expect("utf-8 path")).collect();
    args.extend(names);
    run("soffice", &args, "libreoffice-calc-nogui");
}

/// Every sheet of every workbook as CSV records, values as shown (UTF-8,
/// comma, quoted text): `"<file stem>-<sheet>"` -> records.
pub fn xlsx_sheets_as_csv(files: &[&Path], out: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    soffice(files, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", out);
    let mut sheets = BTreeMap::new();
    for entry in std::fs::read_dir(out).expect("out dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "csv") {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(&path).expect("csv");
            let records = reader.records().map(|r| r.expect("record").iter().map(str::to_string).collect()).collect();
            sheets.insert(path.file_stem().expect("stem").to_string_lossy().into_owned(), records);
        }
    }
    sheets
}

/// The workbooks as flat ODS XML (cell types visible): file stem -> XML.
pub fn xlsx_as_fods(files: &[&Path], out: &Path) -> BTreeMap<String, String> {
    soffice(files, "fods", out);
    files
        .iter()
        .map(|f| {
            let stem = f.file_stem().expect("stem").to_string_lossy().into_owned();
            let xml = std::fs::read_to_string(out.join(format!("{stem}.fods"))).expect("fods written");
            (stem, xml)
        })
        .collect()
}

/// CSV files opened as a spreadsheet user opens them (UTF-8, comma,
/// "detect special numbers" on), saved as flat ODS: file stem -> XML.
pub fn csv_as_fods(files: &[&Path], out: &Path) -> BTreeMap<String, String> {
    soffice_with(files, &["--infilter=CSV:44,34,76,1,,0,false,true"], "fods", out);
    files.iter().map(|f| {
        let stem = f.file_stem().expect("stem").to_string_lossy().into_owned();
        (stem.clone(), std::fs::read_to_string(out.join(format!("{stem}.fods"))).expect("fods written"))
    }).collect()
}

/// The attributes of every cell in flat ODS XML that has a value type.
pub fn fods_cells(xml: &str) -> Vec<String> {
    xml.split("<table:table-cell ").skip(1).map(|c| c[..c.find('>').unwrap_or(c.len())].to_string()).filter(|a| a.contains("office:value-type")).collect()
}

/// `pdftotext -layout` of a PDF.
pub fn pdf_text(pdf: &Path) -> String {
    run("pdftotext", &["-layout", pdf.to_str().expect("utf-8 path"), "-"], "poppler-utils")
}

/// The page count `pdfinfo` reports.
pub fn pdf_pages(pdf: &Path) -> usize {
    let info = run("pdfinfo", &[pdf.to_str().expect("utf-8 path")], "poppler-utils");
    info.lines().find_map(|l| l.strip_prefix("Pages:")).expect("Pages line").trim().parse().expect("page count")
}

/// The fonts `pdffonts` lists, one line each (name, type, emb, sub, …).
pub fn pdf_fonts(pdf: &Path) -> Vec<String> {
    run("pdffonts", &[pdf.to_str().expect("utf-8 path")], "poppler-utils").lines().skip(2).map(str::to_string).collect()
}

/// Render page 1 of a PDF to `<prefix>-1.png` (or `-01`, …) with pdftoppm.
pub fn render_first_page(pdf: &Path, prefix: &Path) -> PathBuf {
    run("pdftoppm", &["-png", "-r", "60", "-f", "1", "-l", "1", pdf.to_str().expect("utf-8 path"), prefix.to_str().expect("utf-8 path")], "poppler-utils");
    let dir = prefix.parent().expect("dir");
    std::fs::read_dir(dir).expect("dir").filter_map(|e| e.ok()).map(|e| e.path()).find(|p| p.extension().is_some_and(|e| e == "png")).expect("a PNG")
}
