//! The output formatters: how rows of cells become text.
//!
//! - `table` (the default): one line per row, cells separated by tabs,
//!   after a header row of the column names;
//! - `json`: `[` on its own line, one object per line (later ones start
//!   with a comma), `]`: `[\n{...}\n,{...}\n]\n`;
//! - `csv`: every cell double-quoted, a header row first;
//! - `pretty_table`: a box drawn with the terminal's line-drawing character
//!   set (`ESC ( 0`), headers in bold.
//!
//! Informational lines (`Listing queues for vhost / ...`) are the command's;
//! only `table` and `pretty_table` print them. A listing with no rows prints
//! no header row.

use crate::control::cell::Cell;

/// An output formatter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Formatter {
    Table,
    Json,
    Csv,
    PrettyTable,
}

impl Formatter {
    pub(crate) fn parse(name: &str) -> Option<Formatter> {
        match name {
            "table" => Some(Formatter::Table),
            "json" => Some(Formatter::Json),
            "csv" => Some(Formatter::Csv),
            "pretty_table" => Some(Formatter::PrettyTable),
            _ => None,
        }
    }

    /// Whether informational lines go with this output (machine-readable
    /// formats have none).
    pub(crate) fn shows_banners(self) -> bool {
        matches!(self, Formatter::Table | Formatter::PrettyTable)
    }
}

/// What an empty listing prints in the table formats. RabbitMQ streams the
/// big listings (queues, exchanges, ...: nothing at all when empty) and
/// returns the small ones whole (vhosts, users, permissions: one empty line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WhenEmpty {
    Nothing,
    BlankLine,
}

/// Rows under named columns.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub when_empty: WhenEmpty,
}

/// The rows as `formatter` writes them; `headers` is false with `--silent`
/// and `--no-table-headers`.
pub(crate) fn render(rows: &Rows, formatter: Formatter, headers: bool) -> String {
    match formatter {
        Formatter::Json => json(rows),
        _ if rows.rows.is_empty() => match (formatter, rows.when_empty) {
            (Formatter::Table, WhenEmpty::BlankLine) => "\n".to_string(),
            _ => String::new(),
        },
        Formatter::Table => tab_separated(rows, headers),
        Formatter::Csv => csv(rows, headers),
        Formatter::PrettyTable => pretty_table(rows, headers),
    }
}

fn tab_separated(rows: &Rows, headers: bool) -> String {
    let mut out = String::new();
    if headers {
        out.push_str(&rows.columns.join("\t"));
        out.push('\n');
    }
    for row in &rows.rows {
        let cells: Vec<String> = row.iter().map(Cell::to_text).collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

fn json(rows: &Rows) -> String {
    let mut out = String::from("[\n");
    for (n, row) in rows.rows.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let fields: Vec<String> = rows
            .columns
            .iter()
            .zip(row)
            .map(|(column, cell)| {
                format!(
                    "{}:{}",
                    serde_json::Value::String(column.clone()),
                    cell.to_json()
                )
            })
            .collect();
        out.push('{');
        out.push_str(&fields.join(","));
        out.push_str("}\n");
    }
    out.push_str("]\n");
    out
}

fn csv_field(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn csv(rows: &Rows, headers: bool) -> String {
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        let quoted: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    };
    if headers {
        line(rows.columns.clone());
    }
    for row in &rows.rows {
        line(row.iter().map(Cell::to_text).collect());
    }
    out
}

/// Switches to the line-drawing character set and back.
const DRAW: &str = "\x1b(0";
const TEXT: &str = "\x1b(B";

fn pretty_table(rows: &Rows, headers: bool) -> String {
    let texts: Vec<Vec<String>> = rows
        .rows
        .iter()
        .map(|row| row.iter().map(Cell::to_text).collect())
        .collect();
    let widths: Vec<usize> = (0..rows.columns.len())
        .map(|i| {
            let header = if headers {
                rows.columns[i].chars().count()
            } else {
                0
            };
            texts
                .iter()
                .filter_map(|row| row.get(i))
                .map(|t| t.chars().count())
                .fold(header, usize::max)
        })
        .collect();
    // l w k, t n u, m v j: the corners and joints of the box.
    let rule = |left: char, middle: char, right: char| -> String {
        let segments: Vec<String> = widths.iter().map(|w| "q".repeat(w + 2)).collect();
        format!(
            "{DRAW}{left}{}{right}{TEXT}\n",
            segments.join(&middle.to_string())
        )
    };
    let line = |cells: &[String], bold: bool| -> String {
        let mut out = format!("{DRAW}x{TEXT}");
        for (cell, width) in cells.iter().zip(&widths) {
            let padding = " ".repeat(width.saturating_sub(cell.chars().count()));
            let shown = if bold {
                crate::control::usage::bold(cell)
            } else {
                cell.clone()
            };
            out.push_str(&format!(" {shown}{padding} {DRAW}x{TEXT}"));
        }
        out.push('\n');
        out
    };
    let mut out = rule('l', 'w', 'k');
    let mut first = true;
    if headers {
        out.push_str(&line(&rows.columns, true));
        first = false;
    }
    for row in &texts {
        if !first {
            out.push_str(&rule('t', 'n', 'u'));
        }
        out.push_str(&line(row, false));
        first = false;
    }
    out.push_str(&rule('m', 'v', 'j'));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queues() -> Rows {
        Rows {
            columns: vec!["name".into(), "messages".into()],
            rows: vec![
                vec![Cell::text("q_args"), Cell::Count(0)],
                vec![Cell::text("q_exclusive"), Cell::Count(3)],
            ],
            when_empty: WhenEmpty::Nothing,
        }
    }

    #[test]
    fn every_formatter_writes_its_layout() {
        assert_eq!(
            render(&queues(), Formatter::Table, true),
            "name\tmessages\nq_args\t0\nq_exclusive\t3\n"
        );
        assert_eq!(
            render(&queues(), Formatter::Json, true),
            "[\n{\"name\":\"q_args\",\"messages\":0}\n,{\"name\":\"q_exclusive\",\"messages\":3}\n]\n"
        );
        assert_eq!(
            render(&queues(), Formatter::Csv, true),
            "\"name\",\"messages\"\n\"q_args\",\"0\"\n\"q_exclusive\",\"3\"\n"
        );
        let pretty = render(&queues(), Formatter::PrettyTable, true);
        assert!(pretty.starts_with("\x1b(0lqqqqqqqqqqqqqwqqqqqqqqqqk\x1b(B\n"));
        assert!(pretty.contains("\x1b(0x\x1b(B \x1b[1mname\x1b[0m        \x1b(0x\x1b(B"));
    }

    #[test]
    fn empty_listings() {
        let mut empty = queues();
        empty.rows.clear();
        assert_eq!(render(&empty, Formatter::Table, true), "");
        assert_eq!(render(&empty, Formatter::Json, true), "[\n]\n");
        empty.when_empty = WhenEmpty::BlankLine;
        assert_eq!(render(&empty, Formatter::Table, true), "\n");
    }
}
