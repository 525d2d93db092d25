//! A CSV or XLSX file as a header and rows of text, the way a spreadsheet shows it: the first
//! row holds the column names, rows are numbered as the spreadsheet numbers them (the header is
//! row 1), and empty rows are left out.

use std::collections::HashSet;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use csv::StringRecord;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// XLSX files are ZIP archives.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is neither CSV text (UTF-8) nor an XLSX workbook.")]
    NotATable,
    #[error("The workbook could not be read: {0}.")]
    Workbook(String),
    #[error("The workbook has no sheet.")]
    NoSheet,
    #[error("Row {row} could not be read: {message}.")]
    Row { row: usize, message: String },
    #[error(
        "The workbook expands to more than {} MB: export fewer rows, or as CSV.",
        MAX_EXPANDED_BYTES / (1024 * 1024)
    )]
    Expands,
}

/// The most a workbook may expand to when unpacked. Ordinary sheets expand about tenfold, so
/// a full 32 MB upload stays well below; more is a crafted file that would exhaust memory.
const MAX_EXPANDED_BYTES: u64 = 512 * 1024 * 1024;

/// Refuses a workbook whose parts add up to more than `limit` bytes unpacked (as its ZIP
/// directory declares them; the reader does not unpack an entry beyond its declared size).
fn check_expansion(bytes: &[u8], limit: u64) -> Result<(), TableError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| TableError::Workbook(e.to_string()))?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| TableError::Workbook(e.to_string()))?;
        total = total.saturating_add(entry.size());
    }
    if total > limit {
        return Err(TableError::Expands);
    }
    Ok(())
}

/// One data row: its number in the spreadsheet and its cells (trimmed text).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: StringRecord,
}

impl Row {
    /// The cell in `column`, empty when the row is shorter.
    pub fn get(&self, column: usize) -> &str {
        self.cells.get(column).unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// Column names, unique (a repeated or empty header gets a number).
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads an XLSX workbook (its first sheet) or CSV text (comma, semicolon or tab).
    pub fn read(bytes: &[u8]) -> Result<Table, TableError> {
        if bytes.is_empty() {
            return Err(TableError::Empty);
        }
        if bytes.starts_with(ZIP_MAGIC) {
            read_xlsx(bytes)
        } else {
            read_csv(bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes))
        }
    }

    /// The index of the column called `name` (compared as [`normalise`] does).
    pub fn column(&self, name: &str) -> Option<usize> {
        let wanted = normalise(name);
        self.columns.iter().position(|c| normalise(c) == wanted)
    }
}

/// A header reduced to lower-case letters and digits, so `Grant No.`, `grant_no` and
/// `GRANT NO` compare equal.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn unique_columns(raw: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    raw.enumerate()
        .map(|(index, name)| {
            let name = name.trim();
            let base = if name.is_empty() {
                format!("Column {}", index + 1)
            } else {
                name.to_owned()
            };
            let mut candidate = base.clone();
            let mut n = 2;
            while !seen.insert(normalise(&candidate)) {
                candidate = format!("{base} ({n})");
                n += 1;
            }
            candidate
        })
        .collect()
}

fn delimiter(text: &[u8]) -> u8 {
    let first_line = text.split(|b| *b == b'\n').next().unwrap_or_default();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(TableError::NotATable);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(bytes))
        .trim(csv::Trim::All)
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(_)) => return Err(TableError::NotATable),
        None => return Err(TableError::Empty),
    };
    let columns = unique_columns(header.iter().map(str::to_owned));
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| TableError::Row {
            row: e.position().map_or(0, |p| p.line() as usize),
            message: e.to_string(),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let number = record
            .position()
            .map_or(0, |p| line_of(bytes, p.byte() as usize, p.line() as usize));
        rows.push(Row {
            number,
            cells: record,
        });
    }
    Ok(Table { columns, rows })
}

/// The line a record is on. The CSV reader gives where it began reading the record, which is
/// before any blank lines it skipped; those are counted here.
fn line_of(text: &[u8], mut byte: usize, mut line: usize) -> usize {
    while let Some(b) = text.get(byte) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
        byte += 1;
    }
    line
}

/// A cell as the text a person sees, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        Data::Int(number) => number.to_string(),
        // Whole numbers without ".0", so grant numbers and round amounts read as written.
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{}", *number as i64)
        }
        Data::Float(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(value) => value
            .as_datetime()
            .map(|moment| moment.date().to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(text) => text.chars().take(10).collect(),
        Data::DurationIso(text) => text.clone(),
        Data::Error(error) => format!("#{error:?}"),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    check_expansion(bytes, MAX_EXPANDED_BYTES)?;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| TableError::Workbook(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(TableError::NoSheet)?
        .map_err(|e: calamine::XlsxError| TableError::Workbook(e.to_string()))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut lines = range.rows();
    let header = lines.next().ok_or(TableError::Empty)?;
    let columns = unique_columns(header.iter().map(cell_text));
    let mut rows = Vec::new();
    for (index, line) in lines.enumerate() {
        let cells: StringRecord = line.iter().map(cell_text).collect();
        if cells.iter().all(str::is_empty) {
            continue;
        }
        // Spreadsheet rows count from 1; the header is the range's first row.
        rows.push(Row {
            number: first_row + index + 2,
            cells,
        });
    }
    Ok(Table { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_semicolons_and_empty_rows() {
        let table = Table::read(
            "\u{feff}Grant No.;Title\r\n\r\nG-1; Water \n;\n\n\nG-2;Roads\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(table.columns, ["Grant No.", "Title"]);
        let rows: Vec<(usize, &str, &str)> = table
            .rows
            .iter()
            .map(|r| (r.number, r.get(0), r.get(1)))
            .collect();
        assert_eq!(rows, [(3, "G-1", "Water"), (7, "G-2", "Roads")]);
        assert_eq!(table.column("grant_no"), Some(0));
    }

    #[test]
    fn repeated_and_blank_headers_get_names() {
        let table = Table::read(b"a,,A\n1,2,3\n").unwrap();
        assert_eq!(table.columns, ["a", "Column 2", "A (2)"]);
        assert_eq!(table.rows[0].get(7), "");
    }

    #[test]
    fn what_is_not_a_table_says_so() {
        assert_eq!(Table::read(b"").unwrap_err(), TableError::Empty);
        assert_eq!(
            Table::read(&[0xff, 0xfe, 0x00, 0x41]).unwrap_err(),
            TableError::NotATable
        );
        assert!(matches!(
            Table::read(b"PK\x03\x04 not really a zip").unwrap_err(),
            TableError::Workbook(_)
        ));
    }

    #[test]
    fn xlsx_cells_read_as_text_and_dates() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_string(0, 0, "Number").unwrap();
        sheet.write_string(0, 1, "Amount").unwrap();
        sheet.write_string(0, 2, "Ends").unwrap();
        sheet.write_number(1, 0, 10042.0).unwrap();
        sheet.write_number(1, 1, 1250.5).unwrap();
        let day = ExcelDateTime::from_ymd(2020, 2, 29).unwrap();
        sheet.write_datetime_with_format(1, 2, &day, &date).unwrap();
        sheet.write_string(3, 0, "SYN-2").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let table = Table::read(&bytes).unwrap();
        assert_eq!(table.columns, ["Number", "Amount", "Ends"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(
            (
                table.rows[0].number,
                table.rows[0].get(0),
                table.rows[0].get(1),
                table.rows[0].get(2)
            ),
            (2, "10042", "1250.5", "2020-02-29")
        );
        assert_eq!((table.rows[1].number, table.rows[1].get(0)), (4, "SYN-2"));
        // The same workbook is refused when it may expand to less than it does.
        assert_eq!(check_expansion(&bytes, 1_000), Err(TableError::Expands));
        assert_eq!(check_expansion(&bytes, MAX_EXPANDED_BYTES), Ok(()));
    }
}
