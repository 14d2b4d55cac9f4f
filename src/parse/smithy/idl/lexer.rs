//! The Smithy IDL tokenizer: bytes in, one token at a time out, the way Smithy's
//! `DefaultTokenizer` cuts them (so errors name the same token at the same position).
//!
//! Never panics: a malformed string, number or character becomes an [`Tok::Error`] token
//! carrying its message, and the parser reports it where the grammar meets it.

/// A token kind, named as Smithy's `IdlToken` (the names appear in error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    Space,
    Newline,
    Comma,
    Comment,
    DocComment,
    At,
    String,
    TextBlock,
    Colon,
    Walrus,
    Identifier,
    Dot,
    Pound,
    Dollar,
    Number,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Equal,
    Eof,
    Error,
}

impl Tok {
    fn name(self) -> &'static str {
        use Tok::*;
        match self {
            Space => "SPACE",
            Newline => "NEWLINE",
            Comma => "COMMA",
            Comment => "COMMENT",
            DocComment => "DOC_COMMENT",
            At => "AT",
            String => "STRING",
            TextBlock => "TEXT_BLOCK",
            Colon => "COLON",
            Walrus => "WALRUS",
            Identifier => "IDENTIFIER",
            Dot => "DOT",
            Pound => "POUND",
            Dollar => "DOLLAR",
            Number => "NUMBER",
            LBrace => "LBRACE",
            RBrace => "RBRACE",
            LBracket => "LBRACKET",
            RBracket => "RBRACKET",
            LParen => "LPAREN",
            RParen => "RPAREN",
            Equal => "EQUAL",
            Eof => "EOF",
            Error => "ERROR",
        }
    }

    fn example(self) -> &'static str {
        use Tok::*;
        match self {
            Space => " ",
            Newline => "\\n",
            Comma => ",",
            Comment => "//",
            DocComment => "///",
            At => "@",
            String => "\"",
            TextBlock => "\"\"\"",
            Colon => ":",
            Walrus => ":=",
            Dot => ".",
            Pound => "#",
            Dollar => "$",
            LBrace => "{",
            RBrace => "}",
            LBracket => "[",
            RBracket => "]",
            LParen => "(",
            RParen => ")",
            Equal => "=",
            Identifier | Number | Eof | Error => "",
        }
    }

    /// `LBRACE('{')`, `IDENTIFIER`: how Smithy names an expected token.
    pub fn debug(self) -> String {
        self.debug_with(self.example())
    }

    /// The token with its lexeme, as Smithy names a found token.
    pub fn debug_with(self, lexeme: &str) -> String {
        if lexeme.is_empty() { self.name().to_string() } else { format!("{}('{}')", self.name(), lexeme) }
    }

    pub fn is_whitespace(self) -> bool {
        matches!(self, Tok::Space | Tok::Newline | Tok::Comma | Tok::Comment)
    }
}

/// The tokenizer over one file. `kind`, `start` and `end` describe the current token.
pub struct Lexer<'a> {
    pub b: &'a [u8],
    pos: usize,
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
    /// Decoded value of the current STRING or TEXT_BLOCK token.
    pub text: String,
    /// Message of the current ERROR token, and where it points when not at the token.
    pub error: String,
    pub error_at: Option<usize>,
    /// Documentation comment lines seen and not yet attached.
    pub docs: Vec<String>,
}

impl<'a> Lexer<'a> {
    pub fn new(b: &'a [u8]) -> Lexer<'a> {
        let mut l = Lexer {
            b,
            pos: 0,
            kind: Tok::Eof,
            start: 0,
            end: 0,
            text: String::new(),
            error: String::new(),
            error_at: None,
            docs: Vec::new(),
        };
        if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
            l.pos = 3;
        }
        l.advance();
        l
    }

    /// The current token's source text.
    pub fn lexeme(&self) -> &'a str {
        std::str::from_utf8(&self.b[self.start..self.end]).unwrap_or("")
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.pos + ahead).copied()
    }

    /// Advances to the next token and returns its kind.
    pub fn advance(&mut self) -> Tok {
        self.error_at = None;
        self.start = self.pos;
        let Some(c) = self.peek(0) else {
            self.end = self.pos;
            self.kind = Tok::Eof;
            return Tok::Eof;
        };
        self.kind = match c {
            b' ' | b'\t' => {
                while matches!(self.peek(0), Some(b' ' | b'\t')) {
                    self.pos += 1;
                }
                Tok::Space
            }
            b'\n' => self.single(Tok::Newline),
            b'\r' => {
                self.pos += 1;
                if self.peek(0) == Some(b'\n') {
                    self.pos += 1;
                }
                Tok::Newline
            }
            b',' => self.single(Tok::Comma),
            b'@' => self.single(Tok::At),
            b'$' => self.single(Tok::Dollar),
            b'.' => self.single(Tok::Dot),
            b'{' => self.single(Tok::LBrace),
            b'}' => self.single(Tok::RBrace),
            b'[' => self.single(Tok::LBracket),
            b']' => self.single(Tok::RBracket),
            b'(' => self.single(Tok::LParen),
            b')' => self.single(Tok::RParen),
            b'#' => self.single(Tok::Pound),
            b'=' => self.single(Tok::Equal),
            b':' => {
                self.pos += 1;
                if self.peek(0) == Some(b'=') {
                    self.pos += 1;
                    Tok::Walrus
                } else {
                    Tok::Colon
                }
            }
            b'"' => self.string(),
            b'/' => self.comment(),
            b'-' | b'0'..=b'9' => self.number(),
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => self.identifier(),
            _ => {
                let ch = std::str::from_utf8(&self.b[self.pos..])
                    .ok()
                    .or_else(|| {
                        let n = utf8_len(c);
                        self.b.get(self.pos..self.pos + n).and_then(|s| std::str::from_utf8(s).ok())
                    })
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{FFFD}');
                self.error = format!("Unexpected character: '{ch}'");
                self.pos += ch.len_utf8().min(self.b.len() - self.pos).max(1);
                Tok::Error
            }
        };
        self.end = self.pos;
        if self.kind == Tok::DocComment {
            self.doc_line();
        }
        self.kind
    }

    fn single(&mut self, t: Tok) -> Tok {
        self.pos += 1;
        t
    }

    fn comment(&mut self) -> Tok {
        self.pos += 1;
        if self.peek(0) != Some(b'/') {
            self.error = "Expected a '/' to follow '/' to form a comment.".into();
            return Tok::Error;
        }
        self.pos += 1;
        let kind = if self.peek(0) == Some(b'/') {
            self.pos += 1;
            Tok::DocComment
        } else {
            Tok::Comment
        };
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            if c == b'\n' {
                break;
            }
            if c == b'\r' {
                if self.peek(0) == Some(b'\n') {
                    self.pos += 1;
                }
                break;
            }
        }
        kind
    }

    fn doc_line(&mut self) {
        let (start, mut end) = (self.start, self.end);
        let doc_start = if end - start <= 3 {
            start + 3
        } else if self.b[start + 3] == b' ' {
            start + 4
        } else {
            start + 3
        };
        if end > 0 && self.b[end - 1] == b'\n' {
            end -= 1;
            if end > 0 && self.b[end - 1] == b'\r' {
                end -= 1;
            }
        } else if end > 0 && self.b[end - 1] == b'\r' {
            end -= 1;
        }
        let line = String::from_utf8_lossy(&self.b[doc_start.min(end)..end]).into_owned();
        self.docs.push(line);
    }

    /// Takes the pending documentation lines as one string.
    pub fn take_docs(&mut self) -> Option<String> {
        if self.docs.is_empty() {
            None
        } else {
            let s = self.docs.join("\n");
            self.docs.clear();
            Some(s)
        }
    }

    fn number(&mut self) -> Tok {
        let start = self.pos;
        let digits = |l: &mut Lexer| {
            let s = l.pos;
            while matches!(l.peek(0), Some(b'0'..=b'9')) {
                l.pos += 1;
            }
            l.pos - s
        };
        let invalid = |l: &mut Lexer, why: &str| {
            l.error = format!("Invalid number '{}': {why}", String::from_utf8_lossy(&l.b[start..l.pos]));
            Tok::Error
        };
        if self.peek(0) == Some(b'-') {
            self.pos += 1;
            if !matches!(self.peek(0), Some(b'0'..=b'9')) {
                return invalid(self, "'-' must be followed by a digit");
            }
        }
        digits(self);
        if self.peek(0) == Some(b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return invalid(self, "'.' must be followed by a digit");
            }
        }
        if matches!(self.peek(0), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(0), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return invalid(self, "'e', '+', and '-' must be followed by a digit");
            }
        }
        Tok::Number
    }

    fn identifier(&mut self) -> Tok {
        if self.peek(0) == Some(b'_') {
            while self.peek(0) == Some(b'_') {
                self.pos += 1;
            }
            if !matches!(self.peek(0), Some(c) if c.is_ascii_alphanumeric()) {
                self.error = format!("Expected a valid identifier character, but found '{}'", self.found_char());
                self.error_at = Some(self.pos);
                return Tok::Error;
            }
        }
        self.pos += 1;
        while matches!(self.peek(0), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        Tok::Identifier
    }

    fn found_char(&self) -> String {
        match self.peek(0) {
            None => "[EOF]".into(),
            Some(_) => String::from_utf8_lossy(&self.b[self.pos..(self.pos + 4).min(self.b.len())])
                .chars()
                .next()
                .map(String::from)
                .unwrap_or_default(),
        }
    }

    fn string(&mut self) -> Tok {
        self.pos += 1;
        if self.peek(0) == Some(b'"') {
            self.pos += 1;
            if self.peek(0) == Some(b'"') {
                self.pos += 1;
                return self.quoted(true);
            }
            self.text.clear();
            return Tok::String;
        }
        self.quoted(false)
    }

    /// Scans a quoted string or text block after its opening quotes and decodes it.
    fn quoted(&mut self, triple: bool) -> Tok {
        let start = self.pos;
        loop {
            match self.peek(0) {
                None => {
                    self.error = "Expected: '\"', but found '[EOF]'".into();
                    self.error_at = Some(self.pos);
                    return Tok::Error;
                }
                Some(b'"') if !triple || (self.peek(1) == Some(b'"') && self.peek(2) == Some(b'"')) => break,
                Some(b'\\') => self.pos += 2,
                Some(_) => self.pos += 1,
            }
        }
        let Some(raw) = self.b.get(start..self.pos.min(self.b.len())) else {
            self.error = "Expected: '\"', but found '[EOF]'".into();
            self.error_at = Some(self.b.len());
            return Tok::Error;
        };
        if self.pos > self.b.len() {
            self.error = "Expected: '\"', but found '[EOF]'".into();
            self.error_at = Some(self.b.len());
            self.pos = self.b.len();
            return Tok::Error;
        }
        self.pos += if triple { 3 } else { 1 };
        let Ok(raw) = std::str::from_utf8(raw) else {
            self.error = "Error parsing quoted string: the string is not valid UTF-8".into();
            return Tok::Error;
        };
        match scan_string(raw, triple) {
            Ok(s) => {
                self.text = s;
                if triple { Tok::TextBlock } else { Tok::String }
            }
            Err(e) => {
                self.error = format!("Error parsing {}: {e}", if triple { "text block" } else { "quoted string" });
                Tok::Error
            }
        }
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Decodes the contents of a quoted string or text block as Smithy's `IdlStringLexer` does:
/// line endings normalized, text-block indentation removed, escapes resolved.
fn scan_string(raw: &str, text_block: bool) -> Result<String, String> {
    let normalized;
    let mut s: &str = raw;
    if s.contains('\r') {
        normalized = s.replace("\r\n", "\n").replace('\r', "\n");
        s = &normalized;
    }
    let formatted;
    if text_block {
        formatted = format_text_block(s)?;
        s = &formatted;
    }
    if !s.contains('\\') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\n') => {}
            Some('u') => {
                let mut v = 0u32;
                for _ in 0..4 {
                    match chars.next() {
                        None => return Err("Invalid unclosed unicode escape found in string".into()),
                        Some(h) => match h.to_digit(16) {
                            Some(d) => v = v * 16 + d,
                            None => return Err(format!("Invalid unicode escape character: `{h}`")),
                        },
                    }
                }
                // A lone surrogate half cannot be a Rust char; Smithy keeps UTF-16 units.
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some(o) => return Err(format!("Invalid escape found in string: `\\{o}`")),
            None => return Err("Invalid escape found in string: `\\`".into()),
        }
    }
    Ok(out)
}

fn format_text_block(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("Text block is empty".into());
    }
    if !s.starts_with('\n') {
        return Err("Text block must start with a new line".into());
    }
    let lines: Vec<&str> = s.split('\n').collect();
    let mut pad = usize::MAX;
    for (i, line) in lines.iter().enumerate().skip(1) {
        let last = i == lines.len() - 1;
        let lead = line.bytes().position(|c| c != b' ');
        let p = match lead {
            Some(p) => Some(p),
            None if last => Some(line.len()),
            None => None,
        };
        if let Some(p) = p {
            pad = pad.min(p);
        }
    }
    let mut out = String::with_capacity(s.len());
    for (i, line) in lines.iter().enumerate().skip(1) {
        if !line.is_empty() {
            // Smithy keeps `line[pad..=last non-space]`, nothing when that is empty.
            let bytes = line.as_bytes();
            let start = pad.min(line.len());
            let mut last = line.len() - 1;
            while last > 0 && bytes[last] == b' ' {
                last -= 1;
            }
            if last >= start {
                out.push_str(line.get(start..=last).unwrap_or(""));
            }
        }
        if i < lines.len() - 1 {
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        let mut l = Lexer::new(s.as_bytes());
        let mut out = vec![l.kind];
        while l.kind != Tok::Eof {
            out.push(l.advance());
        }
        out
    }

    #[test]
    fn cuts_tokens_as_smithy_does() {
        use Tok::*;
        assert_eq!(
            kinds("a.b#C$d := \"x\" 1.5e3 // c\n/// doc\n"),
            [
                Identifier, Dot, Identifier, Pound, Identifier, Dollar, Identifier, Space, Walrus, Space, String,
                Space, Number, Space, Comment, DocComment, Eof
            ]
        );
        assert_eq!(kinds("1."), [Error, Eof]);
        assert_eq!(kinds("\"abc"), [Error, Eof]);
    }

    #[test]
    fn decodes_strings_and_text_blocks() {
        assert_eq!(scan_string("a\\n\\u00e9\\\"", false).as_deref(), Ok("a\né\""));
        assert_eq!(scan_string("\n    foo\n      bar\n    ", true).as_deref(), Ok("foo\n  bar\n"));
        assert!(scan_string("x", true).is_err());
        assert!(scan_string("\\q", false).is_err());
    }
}
