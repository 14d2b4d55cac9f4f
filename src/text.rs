//! One line index for every position the tool reports: 1-based lines, 1-based columns counted in
//! characters, from byte offsets (parse errors, manifest errors, config exceptions, model lines).
//!
//! May depend on: nothing in the crate.

/// Lines of one text, for repeated lookups: the start of every [`MARK`]th line, and the text to
/// count the rest in. A model of 100 MB has 4 million lines; one offset per line took 33 MB per
/// side of a diff, this takes 2 MB.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a [u8],
    /// `marks[i]`: the byte offset where line `i * MARK` (0-based) starts.
    marks: Vec<usize>,
    /// For a part of a longer text ([`LineIndex::part`]): where `text` starts in it, and how many
    /// lines of it end before.
    origin: usize,
    before: usize,
}

/// Lines between two marks of a [`LineIndex`].
const MARK: usize = 16;

impl<'a> LineIndex<'a> {
    pub fn new(bytes: &'a [u8]) -> LineIndex<'a> {
        let mut marks = vec![0];
        let ends = memchr::memchr_iter(b'\n', bytes).enumerate();
        marks.extend(ends.filter(|(n, _)| (n + 1) % MARK == 0).map(|(_, i)| i + 1));
        LineIndex { text: bytes, marks, origin: 0, before: 0 }
    }

    /// The lines of a part of a longer text: `part` starts at byte `origin` of it, on its
    /// (1-based) line `line`; offsets asked are the longer text's.
    pub fn part(part: &'a [u8], origin: usize, line: u32) -> LineIndex<'a> {
        let mut index = LineIndex::new(part);
        (index.origin, index.before) = (origin, (line as usize).saturating_sub(1));
        index
    }

    /// The 1-based line of byte `offset` (past the end: the last line).
    pub fn line(&self, offset: usize) -> u32 {
        let offset = offset.saturating_sub(self.origin).min(self.text.len());
        let mark = self.marks.partition_point(|s| *s <= offset).max(1) - 1;
        let rest = memchr::memchr_iter(b'\n', &self.text[self.marks[mark]..offset]).count();
        to_u32(self.before + mark * MARK + rest + 1)
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
        // Across marks: every offset's line is the count of the line ends before it, plus one.
        let long: String = (0..100).map(|i| "x".repeat(i % 7) + "\n").collect();
        let index = LineIndex::new(long.as_bytes());
        for offset in 0..=long.len() + 2 {
            let want = long.as_bytes()[..offset.min(long.len())].iter().filter(|b| **b == b'\n').count() + 1;
            assert_eq!(index.line(offset), want as u32, "offset {offset}");
        }
        // A part of it, asked with the whole text's offsets, gives the whole text's lines.
        for (start, end) in [(0, long.len()), (37, 300), (long.len() / 2, long.len())] {
            let part = LineIndex::part(&long.as_bytes()[start..end], start, index.line(start));
            for offset in start..=end {
                assert_eq!(part.line(offset), index.line(offset), "part {start}..{end}, offset {offset}");
            }
        }
    }
}
