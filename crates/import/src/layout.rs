//! The column layout of a CSV format, and how a header (or a header-less first row) maps
//! the layout's columns to positions in a row. Knows no format: each format module declares
//! its own `LAYOUT`, and [`Format::layout`](crate::Format) picks it.

/// The columns of a CSV format. Parsers address columns by their index in
/// `required ++ optional`; the file's header maps them to positions.
pub(crate) struct Layout {
    /// Columns every file has, in the order of header-less files.
    pub required: &'static [&'static str],
    /// Columns that may be absent; in header-less files they follow the required ones in this
    /// order. Columns a parser does not use are accepted here and ignored.
    pub optional: &'static [&'static str],
    /// Whether files of this format exist without a header line.
    pub headerless: bool,
}

impl Layout {
    pub(crate) fn column_name(&self, index: usize) -> &'static str {
        if index < self.required.len() {
            self.required[index]
        } else {
            self.optional[index - self.required.len()]
        }
    }
    pub(crate) fn width(&self) -> usize {
        self.required.len() + self.optional.len()
    }
    pub(crate) fn all_columns(&self) -> String {
        let mut cols: Vec<String> = self.required.iter().map(|c| c.to_string()).collect();
        cols.extend(self.optional.iter().map(|c| format!("[{c}]")));
        cols.join(",")
    }

    /// Maps a header to column positions, or says what is wrong with it.
    pub(crate) fn map_header(&self, header: &[String]) -> Result<Vec<Option<usize>>, String> {
        let mut map = vec![None; self.width()];
        let mut unexpected = Vec::new();
        let mut twice = Vec::new();
        for (pos, name) in header.iter().enumerate() {
            let found = self
                .required
                .iter()
                .chain(self.optional.iter())
                .position(|c| c.eq_ignore_ascii_case(name));
            match found {
                Some(i) if map[i].is_some() => twice.push(name.clone()),
                Some(i) => map[i] = Some(pos),
                None => unexpected.push(name.clone()),
            }
        }
        let missing: Vec<&str> = (0..self.required.len())
            .filter(|&i| map[i].is_none())
            .map(|i| self.required[i])
            .collect();
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing {}", missing.join(",")));
        }
        if !unexpected.is_empty() {
            let shown: Vec<String> = unexpected.iter().map(|u| format!("{u:?}")).collect();
            problems.push(format!("unexpected {}", shown.join(",")));
        }
        if !twice.is_empty() {
            problems.push(format!("repeated {}", twice.join(",")));
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems.join("; "))
        }
    }

    /// Column positions of a header-less file whose first row has `width` cells.
    pub(crate) fn headerless_map(&self, width: usize) -> Option<Vec<Option<usize>>> {
        if width < self.required.len() || width > self.width() {
            return None;
        }
        Some(
            (0..self.width())
                .map(|i| (i < width).then_some(i))
                .collect(),
        )
    }
}

pub(crate) const NO_COLUMNS: Layout = Layout {
    required: &[],
    optional: &[],
    headerless: true,
};
