//! One line index for every position the tool reports: 1-based lines, 1-based columns counted in
//! characters, from byte offsets (parse errors, manifest errors, config exceptions, model lines).
//!
//! May depend on: nothing in the crate.

/// The byte offset where each line starts, for repeated lookups in one text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(bytes: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line of byte `offset` (past the end: the last line).
    pub fn line(&self, offset: usize) -> u32 {
        to_u32(self.starts.partition_point(|s| *s <= offset).max(1))
    }
}

/// 1-based line and column (in characters) of byte `offset` of `bytes`; an offset inside a
/// multi-byte character counts as that character's start, one past the end as the end.
pub fn line_col(bytes: &[u8], offset: usize) -> (u32, u32) {
    let mut offset = offset.min(bytes.len());
    while offset > 0 && offset < bytes.len() && bytes[offset] & 0xC0 == 0x80 {
        offset -= 1;
    }
    let upto = &bytes[..offset];
    let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = upto.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&upto[line_start..]).chars().count() + 1;
    (to_u32(line), to_u32(column))
}

/// Byte offset of 1-based `line`, column `col` (characters) of `text`; the end when past it.
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + l.char_indices().nth(col.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_columns_and_offsets_agree() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t.as_bytes(), 0), (1, 1));
        assert_eq!(line_col(t.as_bytes(), 4), (2, 2));
        assert_eq!(line_col(t.as_bytes(), 6), (2, 3), "inside é: its start");
        assert_eq!(offset_of(t, 2, 2), 4);
        assert_eq!(line_col(t.as_bytes(), offset_of(t, 3, 1)), (3, 1));
        assert_eq!(line_col(t.as_bytes(), 99), (3, 2));
        let index = LineIndex::new(t.as_bytes());
        assert_eq!([0, 2, 3, 7, 8, 99].map(|o| index.line(o)), [1, 1, 2, 2, 3, 3]);
        assert_eq!(LineIndex::new(b"").line(0), 1);
    }
}
