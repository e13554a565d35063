//! A lexer and recursive-descent parser for the subset of CQL 3 the emulator understands: the
//! statements of [`crate::ast`]. Keywords are case-insensitive; identifiers are lowercased
//! unless double-quoted. Errors read as Scylla's do: `line L:C` (column from 0) and the
//! offending token.

use crate::ast::{
    Assignment, Batch, BatchKind, BatchStatement, ColumnDef, Condition, CreateKeyspace,
    CreateTable, Delete, IfClause, InValues, Insert, Operator, OptionValue, Parsed, QualifiedName,
    Relation, Select, Selection, Selector, SelectorKind, Statement, Term, Update, Using,
};
use crate::types::CqlType;

/// Why a statement could not be parsed; the text is what Scylla would say, e.g.
/// "line 1:14 no viable alternative at input 'FORM'" or "line 1:0 mismatched input 'SELEC' expecting EOF".
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// The message, naming the position (`line L:C`) and the offending token where there is one.
    pub(crate) message: String,
}

/// Parses one CQL statement (a trailing `;` allowed), numbering its bind markers in order of
/// appearance.
///
/// # Errors
///
/// A [`SyntaxError`] when `text` is not one statement of the supported subset.
pub(crate) fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        src: text,
        tokens,
        pos: 0,
        binds: Vec::new(),
        depth: 0,
    };
    let statement = parser.statement()?;
    parser.eat_sym(Sym::Semi);
    if parser.peek().kind != Kind::Eof {
        return Err(parser.mismatched("EOF"));
    }
    Ok(Parsed {
        statement,
        binds: parser.binds,
    })
}

type PResult<T> = Result<T, SyntaxError>;

/// Words that can never be an unquoted identifier: the keywords that would make the grammar
/// ambiguous, and the literals.
const RESERVED: &[&str] = &[
    "allow", "and", "apply", "asc", "batch", "begin", "by", "create", "delete", "desc", "drop",
    "false", "from", "if", "in", "infinity", "insert", "into", "keyspace", "limit", "nan", "not",
    "null", "order", "primary", "select", "set", "table", "true", "truncate", "update", "use",
    "using", "where", "with",
];

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sym {
    LParen,
    RParen,
    Comma,
    Semi,
    Dot,
    Star,
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    Ne,
    Plus,
    Minus,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Colon,
    Question,
}

impl Sym {
    fn text(self) -> &'static str {
        match self {
            Self::LParen => "(",
            Self::RParen => ")",
            Self::Comma => ",",
            Self::Semi => ";",
            Self::Dot => ".",
            Self::Star => "*",
            Self::Eq => "=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Ne => "!=",
            Self::Plus => "+",
            Self::Minus => "-",
            Self::LBracket => "[",
            Self::RBracket => "]",
            Self::LBrace => "{",
            Self::RBrace => "}",
            Self::Colon => ":",
            Self::Question => "?",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// An unquoted word: a keyword or an identifier (the token's text as written).
    Ident,
    /// A double-quoted identifier, unescaped.
    Quoted(String),
    /// A string literal, unescaped.
    Str(String),
    /// Unsigned digits (the token's text).
    Int,
    /// An unsigned float such as `1.5` or `2e3` (the token's text).
    Float,
    /// `0xcafe`: the digits after `0x`.
    Hex(String),
    /// An unquoted uuid (the token's text).
    Uuid,
    Sym(Sym),
    Eof,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    /// As written (`<EOF>` for the end).
    text: String,
    /// From 1.
    line: usize,
    /// From 0, in characters.
    col: usize,
    /// Character offsets of the token in the input.
    start: usize,
    end: usize,
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    col: usize,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 0;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn bump_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek(0).is_some_and(&keep) {
            self.bump();
        }
    }

    fn text_from(&self, start: usize) -> String {
        self.chars[start..self.pos].iter().collect()
    }

    /// The input from `start` to the end of its line, shortened, to show in an error.
    fn excerpt(&self, start: usize) -> String {
        let rest: String = self.chars[start..]
            .iter()
            .take_while(|&&c| c != '\n')
            .collect();
        if rest.chars().count() > 30 {
            let short: String = rest.chars().take(30).collect();
            format!("{short}...")
        } else {
            rest
        }
    }

    /// Skips whitespace and comments (`-- …`, `// …`, `/* … */`).
    fn skip_trivia(&mut self) -> PResult<()> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('-'), Some('-')) | (Some('/'), Some('/')) => {
                    self.bump_while(|c| c != '\n');
                }
                (Some('/'), Some('*')) => {
                    let (line, col) = (self.line, self.col);
                    self.bump();
                    self.bump();
                    loop {
                        match (self.peek(0), self.peek(1)) {
                            (Some('*'), Some('/')) => {
                                self.bump();
                                self.bump();
                                break;
                            }
                            (Some(_), _) => {
                                self.bump();
                            }
                            (None, _) => {
                                return Err(SyntaxError {
                                    message: format!("line {line}:{col} unterminated comment"),
                                });
                            }
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Reads a literal quoted by `quote`, a doubled quote standing for itself.
    fn quoted(&mut self, quote: char, what: &str) -> PResult<String> {
        let (start, line, col) = (self.pos, self.line, self.col);
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                Some(c) if c == quote => {
                    if self.peek(0) == Some(quote) {
                        self.bump();
                        out.push(quote);
                    } else {
                        return Ok(out);
                    }
                }
                Some(c) => out.push(c),
                None => {
                    return Err(SyntaxError {
                        message: format!(
                            "line {line}:{col} unterminated {what} at input '{}'",
                            self.excerpt(start)
                        ),
                    });
                }
            }
        }
    }

    /// Reads `$$…$$`.
    fn dollar_string(&mut self) -> PResult<String> {
        let (start, line, col) = (self.pos, self.line, self.col);
        self.bump();
        self.bump();
        let mut out = String::new();
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some('$'), Some('$')) => {
                    self.bump();
                    self.bump();
                    return Ok(out);
                }
                (Some(c), _) => {
                    self.bump();
                    out.push(c);
                }
                (None, _) => {
                    return Err(SyntaxError {
                        message: format!(
                            "line {line}:{col} unterminated string at input '{}'",
                            self.excerpt(start)
                        ),
                    });
                }
            }
        }
    }

    /// Reads a hex blob, an integer or a float (unsigned: a sign is the parser's business).
    fn number(&mut self) -> Kind {
        if self.peek(0) == Some('0') && matches!(self.peek(1), Some('x' | 'X')) {
            self.bump();
            self.bump();
            let start = self.pos;
            self.bump_while(|c| c.is_ascii_hexdigit());
            return Kind::Hex(self.text_from(start));
        }
        self.bump_while(|c| c.is_ascii_digit());
        let mut float = false;
        if self.peek(0) == Some('.') {
            float = true;
            self.bump();
            self.bump_while(|c| c.is_ascii_digit());
        }
        let exponent = match (self.peek(1), self.peek(2)) {
            (Some(d), _) if d.is_ascii_digit() => true,
            (Some('+' | '-'), Some(d)) => d.is_ascii_digit(),
            _ => false,
        };
        if matches!(self.peek(0), Some('e' | 'E')) && exponent {
            float = true;
            self.bump();
            if matches!(self.peek(0), Some('+' | '-')) {
                self.bump();
            }
            self.bump_while(|c| c.is_ascii_digit());
        }
        if float { Kind::Float } else { Kind::Int }
    }

    /// Whether an unquoted uuid (8-4-4-4-12 hex digits) starts here.
    fn at_uuid(&self) -> bool {
        let mut i = self.pos;
        for (n, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
            if n > 0 {
                if self.chars.get(i) != Some(&'-') {
                    return false;
                }
                i += 1;
            }
            for _ in 0..len {
                if !self.chars.get(i).is_some_and(char::is_ascii_hexdigit) {
                    return false;
                }
                i += 1;
            }
        }
        !self
            .chars
            .get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == '_')
    }

    fn symbol(&mut self, c: char) -> Option<Sym> {
        let next_is_eq = self.peek(1) == Some('=');
        let (sym, len) = match c {
            '(' => (Sym::LParen, 1),
            ')' => (Sym::RParen, 1),
            ',' => (Sym::Comma, 1),
            ';' => (Sym::Semi, 1),
            '.' => (Sym::Dot, 1),
            '*' => (Sym::Star, 1),
            '=' => (Sym::Eq, 1),
            '<' if next_is_eq => (Sym::Le, 2),
            '<' => (Sym::Lt, 1),
            '>' if next_is_eq => (Sym::Ge, 2),
            '>' => (Sym::Gt, 1),
            '!' if next_is_eq => (Sym::Ne, 2),
            '+' => (Sym::Plus, 1),
            '-' => (Sym::Minus, 1),
            '[' => (Sym::LBracket, 1),
            ']' => (Sym::RBracket, 1),
            '{' => (Sym::LBrace, 1),
            '}' => (Sym::RBrace, 1),
            ':' => (Sym::Colon, 1),
            '?' => (Sym::Question, 1),
            _ => return None,
        };
        for _ in 0..len {
            self.bump();
        }
        Some(sym)
    }
}

/// Splits `src` into tokens, the last one [`Kind::Eof`].
fn lex(src: &str) -> PResult<Vec<Token>> {
    let mut lx = Lexer {
        chars: src.chars().collect(),
        pos: 0,
        line: 1,
        col: 0,
    };
    let mut tokens = Vec::new();
    loop {
        lx.skip_trivia()?;
        let (start, line, col) = (lx.pos, lx.line, lx.col);
        let Some(c) = lx.peek(0) else {
            tokens.push(Token {
                kind: Kind::Eof,
                text: "<EOF>".to_owned(),
                line,
                col,
                start,
                end: start,
            });
            return Ok(tokens);
        };
        let kind = if c.is_ascii_hexdigit() && lx.at_uuid() {
            for _ in 0..36 {
                lx.bump();
            }
            Kind::Uuid
        } else if c.is_ascii_alphabetic() {
            lx.bump_while(|c| c.is_ascii_alphanumeric() || c == '_');
            Kind::Ident
        } else if c.is_ascii_digit() {
            lx.number()
        } else if c == '\'' {
            Kind::Str(lx.quoted('\'', "string")?)
        } else if c == '"' {
            Kind::Quoted(lx.quoted('"', "quoted identifier")?)
        } else if c == '$' && lx.peek(1) == Some('$') {
            Kind::Str(lx.dollar_string()?)
        } else if let Some(sym) = lx.symbol(c) {
            Kind::Sym(sym)
        } else {
            return Err(SyntaxError {
                message: format!("line {line}:{col} token recognition error at: '{c}'"),
            });
        };
        tokens.push(Token {
            kind,
            text: lx.text_from(start),
            line,
            col,
            start,
            end: lx.pos,
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

fn is_kw(token: &Token, keyword: &str) -> bool {
    token.kind == Kind::Ident && token.text.eq_ignore_ascii_case(keyword)
}

/// Whether `token` can be read as an identifier (a quoted one, or an unreserved word).
fn is_identifier(token: &Token) -> bool {
    match token.kind {
        Kind::Quoted(_) => true,
        Kind::Ident => !is_reserved(&token.text),
        _ => false,
    }
}

fn comparison(token: &Token) -> Option<Operator> {
    match token.kind {
        Kind::Sym(Sym::Eq) => Some(Operator::Eq),
        Kind::Sym(Sym::Lt) => Some(Operator::Lt),
        Kind::Sym(Sym::Le) => Some(Operator::Le),
        Kind::Sym(Sym::Gt) => Some(Operator::Gt),
        Kind::Sym(Sym::Ge) => Some(Operator::Ge),
        Kind::Sym(Sym::Ne) => Some(Operator::Ne),
        _ => None,
    }
}

fn error_at(token: &Token, what: &str) -> SyntaxError {
    SyntaxError {
        message: format!("line {}:{} {what}", token.line, token.col),
    }
}

struct Parser<'a> {
    src: &'a str,
    /// Never empty: the last token is [`Kind::Eof`].
    tokens: Vec<Token>,
    pos: usize,
    binds: Vec<Option<String>>,
    /// How deeply the literal or type being read is nested (bounded by [`MAX_DEPTH`]).
    depth: usize,
}

/// The deepest nesting of collection literals or collection types read: deeper is a syntax
/// error rather than a stack overflow.
const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    /// Runs `read` one nesting level deeper, refusing past [`MAX_DEPTH`].
    fn nested<T>(&mut self, read: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_DEPTH {
            return Err(error_at(
                self.peek(),
                &format!("input nested too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        self.depth += 1;
        let result = read(self);
        self.depth -= 1;
        result
    }

    // --- Token access -------------------------------------------------------------------------

    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.pos + ahead).min(last)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        token
    }

    fn skip(&mut self, count: usize) {
        for _ in 0..count {
            self.advance();
        }
    }

    fn at_kw(&self, keyword: &str) -> bool {
        is_kw(self.peek(), keyword)
    }

    fn eat_kw(&mut self, keyword: &str) -> bool {
        let found = self.at_kw(keyword);
        if found {
            self.advance();
        }
        found
    }

    fn expect_kw(&mut self, keyword: &str) -> PResult<()> {
        if self.eat_kw(keyword) {
            Ok(())
        } else {
            Err(self.mismatched(&keyword.to_ascii_uppercase()))
        }
    }

    fn at_sym(&self, sym: Sym) -> bool {
        self.peek().kind == Kind::Sym(sym)
    }

    fn eat_sym(&mut self, sym: Sym) -> bool {
        let found = self.at_sym(sym);
        if found {
            self.advance();
        }
        found
    }

    fn expect_sym(&mut self, sym: Sym) -> PResult<()> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.mismatched(&format!("'{}'", sym.text())))
        }
    }

    fn mismatched(&self, expecting: &str) -> SyntaxError {
        let token = self.peek();
        error_at(
            token,
            &format!("mismatched input '{}' expecting {expecting}", token.text),
        )
    }

    fn no_viable(&self) -> SyntaxError {
        let token = self.peek();
        error_at(
            token,
            &format!("no viable alternative at input '{}'", token.text),
        )
    }

    // --- Names --------------------------------------------------------------------------------

    /// An identifier: lowercased unless quoted.
    fn ident(&mut self) -> PResult<String> {
        let token = self.peek();
        let name = match &token.kind {
            Kind::Quoted(name) => name.clone(),
            Kind::Ident if !is_reserved(&token.text) => token.text.to_ascii_lowercase(),
            _ => return Err(self.no_viable()),
        };
        self.advance();
        Ok(name)
    }

    /// `ident (, ident)*`.
    fn ident_list(&mut self) -> PResult<Vec<String>> {
        let mut names = vec![self.ident()?];
        while self.eat_sym(Sym::Comma) {
            names.push(self.ident()?);
        }
        Ok(names)
    }

    /// `[ks.]name`.
    fn qualified_name(&mut self) -> PResult<QualifiedName> {
        let first = self.ident()?;
        if self.eat_sym(Sym::Dot) {
            Ok(QualifiedName {
                keyspace: Some(first),
                name: self.ident()?,
            })
        } else {
            Ok(QualifiedName {
                keyspace: None,
                name: first,
            })
        }
    }

    /// `IF NOT EXISTS`, if there.
    fn if_not_exists(&mut self) -> PResult<bool> {
        if !self.eat_kw("if") {
            return Ok(false);
        }
        self.expect_kw("not")?;
        self.expect_kw("exists")?;
        Ok(true)
    }

    /// `IF EXISTS`, if there.
    fn if_exists(&mut self) -> PResult<bool> {
        if !self.eat_kw("if") {
            return Ok(false);
        }
        self.expect_kw("exists")?;
        Ok(true)
    }

    // --- Terms --------------------------------------------------------------------------------

    fn bind(&mut self, name: Option<String>) -> Term {
        let index = self.binds.len();
        self.binds.push(name.clone());
        match name {
            None => Term::Bind(index),
            Some(name) => Term::NamedBind(index, name),
        }
    }

    fn term(&mut self) -> PResult<Term> {
        let token = self.peek().clone();
        let term = match &token.kind {
            Kind::Str(s) => Term::String(s.clone()),
            Kind::Int => Term::Integer(token.text.clone()),
            Kind::Float => Term::Float(token.text.clone()),
            Kind::Hex(digits) => Term::Hex(digits.clone()),
            Kind::Uuid => Term::Uuid(token.text.clone()),
            Kind::Sym(Sym::Question) => {
                self.advance();
                return Ok(self.bind(None));
            }
            Kind::Sym(Sym::Colon) => {
                self.advance();
                let name = self.ident()?;
                return Ok(self.bind(Some(name)));
            }
            Kind::Sym(Sym::Minus) => {
                let next = self.peek_at(1);
                let number = next.start == token.end
                    && (matches!(next.kind, Kind::Int | Kind::Float)
                        || is_kw(next, "nan")
                        || is_kw(next, "infinity"));
                if !number {
                    return Err(self.no_viable());
                }
                let negated = format!("-{}", next.text);
                let term = if next.kind == Kind::Int {
                    Term::Integer(negated)
                } else {
                    Term::Float(negated)
                };
                self.skip(2);
                return Ok(term);
            }
            Kind::Sym(Sym::LBracket) => {
                return self.nested(|parser| {
                    parser.advance();
                    Ok(Term::List(parser.term_list(Sym::RBracket)?))
                });
            }
            Kind::Sym(Sym::LBrace) => {
                return self.nested(|parser| {
                    parser.advance();
                    parser.braced()
                });
            }
            Kind::Ident => match token.text.to_ascii_lowercase().as_str() {
                "true" => Term::Boolean(true),
                "false" => Term::Boolean(false),
                "null" => Term::Null,
                "nan" | "infinity" => Term::Float(token.text.clone()),
                _ => return Err(self.no_viable()),
            },
            _ => return Err(self.no_viable()),
        };
        self.advance();
        Ok(term)
    }

    /// Terms separated by commas up to `close` (which is consumed); possibly none.
    fn term_list(&mut self, close: Sym) -> PResult<Vec<Term>> {
        let mut terms = Vec::new();
        if self.eat_sym(close) {
            return Ok(terms);
        }
        loop {
            terms.push(self.term()?);
            if !self.eat_sym(Sym::Comma) {
                break;
            }
        }
        self.expect_sym(close)?;
        Ok(terms)
    }

    /// After `{`: a set or a map (`{}` is an empty map).
    fn braced(&mut self) -> PResult<Term> {
        if self.eat_sym(Sym::RBrace) {
            return Ok(Term::Map(Vec::new()));
        }
        let first = self.term()?;
        if self.eat_sym(Sym::Colon) {
            let mut entries = vec![(first, self.term()?)];
            while self.eat_sym(Sym::Comma) {
                let key = self.term()?;
                self.expect_sym(Sym::Colon)?;
                entries.push((key, self.term()?));
            }
            self.expect_sym(Sym::RBrace)?;
            Ok(Term::Map(entries))
        } else {
            let mut elements = vec![first];
            while self.eat_sym(Sym::Comma) {
                elements.push(self.term()?);
            }
            self.expect_sym(Sym::RBrace)?;
            Ok(Term::Set(elements))
        }
    }

    /// An integer or a bind marker (LIMIT, TTL, TIMESTAMP).
    fn int_or_bind(&mut self) -> PResult<Term> {
        let token = self.peek().clone();
        let term = self.term()?;
        match term {
            Term::Integer(_) | Term::Bind(_) | Term::NamedBind(..) => Ok(term),
            _ => Err(error_at(
                &token,
                &format!(
                    "mismatched input '{}' expecting an integer or a bind marker",
                    token.text
                ),
            )),
        }
    }

    /// The value of `name = value` in a WITH.
    fn option_value(&mut self) -> PResult<OptionValue> {
        Ok(match self.term()? {
            Term::Map(entries) => OptionValue::Map(entries),
            term => OptionValue::Term(term),
        })
    }

    /// `name = value (AND name = value)*`, one item.
    fn property(&mut self) -> PResult<(String, OptionValue)> {
        let name = self.ident()?;
        self.expect_sym(Sym::Eq)?;
        Ok((name, self.option_value()?))
    }

    // --- Types --------------------------------------------------------------------------------

    fn cql_type(&mut self, inside_frozen: bool) -> PResult<CqlType> {
        self.nested(|parser| parser.cql_type_at(inside_frozen))
    }

    fn cql_type_at(&mut self, inside_frozen: bool) -> PResult<CqlType> {
        let token = self.peek().clone();
        if token.kind != Kind::Ident {
            return Err(self.no_viable());
        }
        self.advance();
        let kind = match token.text.to_ascii_lowercase().as_str() {
            "ascii" => CqlType::Ascii,
            "text" | "varchar" => CqlType::Text,
            "bigint" => CqlType::BigInt,
            "int" => CqlType::Int,
            "smallint" => CqlType::SmallInt,
            "tinyint" => CqlType::TinyInt,
            "boolean" => CqlType::Boolean,
            "blob" => CqlType::Blob,
            "uuid" => CqlType::Uuid,
            "timeuuid" => CqlType::TimeUuid,
            "timestamp" => CqlType::Timestamp,
            "double" => CqlType::Double,
            "float" => CqlType::Float,
            "inet" => CqlType::Inet,
            "counter" => CqlType::Counter,
            "list" => {
                self.expect_sym(Sym::Lt)?;
                let element = self.element_type(inside_frozen)?;
                self.expect_sym(Sym::Gt)?;
                CqlType::List(Box::new(element))
            }
            "set" => {
                self.expect_sym(Sym::Lt)?;
                let element = self.element_type(inside_frozen)?;
                self.expect_sym(Sym::Gt)?;
                CqlType::Set(Box::new(element))
            }
            "map" => {
                self.expect_sym(Sym::Lt)?;
                let key = self.element_type(inside_frozen)?;
                self.expect_sym(Sym::Comma)?;
                let value = self.element_type(inside_frozen)?;
                self.expect_sym(Sym::Gt)?;
                CqlType::Map(Box::new(key), Box::new(value))
            }
            "frozen" => {
                self.expect_sym(Sym::Lt)?;
                let inner_token = self.peek().clone();
                let inner = self.cql_type(true)?;
                if !inner.is_collection() {
                    return Err(error_at(
                        &inner_token,
                        &format!(
                            "frozen<> is only allowed on collections, tuples, and user-defined \
                             types (found {inner})"
                        ),
                    ));
                }
                self.expect_sym(Sym::Gt)?;
                CqlType::Frozen(Box::new(inner))
            }
            _ => return Err(error_at(&token, &format!("Unknown type {}", token.text))),
        };
        Ok(kind)
    }

    /// The element, key or value type of a collection.
    fn element_type(&mut self, inside_frozen: bool) -> PResult<CqlType> {
        let token = self.peek().clone();
        let kind = self.cql_type(inside_frozen)?;
        if kind == CqlType::Counter {
            return Err(error_at(
                &token,
                "Counters are not allowed inside collections",
            ));
        }
        if kind.is_multi_cell() && !inside_frozen {
            return Err(error_at(
                &token,
                &format!("Non-frozen collections are not allowed inside collections: {kind}"),
            ));
        }
        Ok(kind)
    }

    // --- Statements ---------------------------------------------------------------------------

    fn statement(&mut self) -> PResult<Statement> {
        let first = self.peek();
        let keyword = if first.kind == Kind::Ident {
            first.text.to_ascii_lowercase()
        } else {
            String::new()
        };
        match keyword.as_str() {
            "use" => {
                self.advance();
                Ok(Statement::Use(self.ident()?))
            }
            "create" => self.create(),
            "drop" => self.drop(),
            "truncate" => {
                self.advance();
                if !self.eat_kw("table") {
                    self.eat_kw("columnfamily");
                }
                Ok(Statement::Truncate(self.qualified_name()?))
            }
            "select" => Ok(Statement::Select(self.select()?)),
            "insert" => Ok(Statement::Insert(self.insert()?)),
            "update" => Ok(Statement::Update(self.update()?)),
            "delete" => Ok(Statement::Delete(self.delete()?)),
            "begin" => Ok(Statement::Batch(self.batch()?)),
            _ => Err(self.no_viable()),
        }
    }

    /// A statement the emulator refuses: its text, unparsed.
    fn unsupported(&mut self) -> Statement {
        self.pos = self.tokens.len() - 1;
        Statement::Unsupported(self.src.trim().to_owned())
    }

    fn create(&mut self) -> PResult<Statement> {
        self.advance();
        if self.eat_kw("keyspace") || self.eat_kw("schema") {
            let if_not_exists = self.if_not_exists()?;
            let name = self.ident()?;
            self.expect_kw("with")?;
            let mut options = vec![self.property()?];
            while self.eat_kw("and") {
                options.push(self.property()?);
            }
            return Ok(Statement::CreateKeyspace(CreateKeyspace {
                name,
                if_not_exists,
                options,
            }));
        }
        if self.eat_kw("table") || self.eat_kw("columnfamily") {
            return Ok(Statement::CreateTable(self.create_table()?));
        }
        let index =
            self.at_kw("index") || (self.at_kw("custom") && is_kw(self.peek_at(1), "index"));
        let view = self.at_kw("materialized") && is_kw(self.peek_at(1), "view");
        if index || view {
            return Ok(self.unsupported());
        }
        Err(self.no_viable())
    }

    fn drop(&mut self) -> PResult<Statement> {
        self.advance();
        if self.eat_kw("keyspace") || self.eat_kw("schema") {
            let if_exists = self.if_exists()?;
            return Ok(Statement::DropKeyspace {
                name: self.ident()?,
                if_exists,
            });
        }
        if self.eat_kw("table") || self.eat_kw("columnfamily") {
            let if_exists = self.if_exists()?;
            return Ok(Statement::DropTable {
                table: self.qualified_name()?,
                if_exists,
            });
        }
        if self.at_kw("index") || (self.at_kw("materialized") && is_kw(self.peek_at(1), "view")) {
            return Ok(self.unsupported());
        }
        Err(self.no_viable())
    }

    /// After `CREATE TABLE`.
    fn create_table(&mut self) -> PResult<CreateTable> {
        let if_not_exists = self.if_not_exists()?;
        let table = self.qualified_name()?;
        self.expect_sym(Sym::LParen)?;
        let mut columns = Vec::new();
        let mut keys: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        loop {
            if self.eat_kw("primary") {
                self.expect_kw("key")?;
                self.expect_sym(Sym::LParen)?;
                let partition = if self.eat_sym(Sym::LParen) {
                    let names = self.ident_list()?;
                    self.expect_sym(Sym::RParen)?;
                    names
                } else {
                    vec![self.ident()?]
                };
                let mut clustering = Vec::new();
                while self.eat_sym(Sym::Comma) {
                    clustering.push(self.ident()?);
                }
                self.expect_sym(Sym::RParen)?;
                keys.push((partition, clustering));
            } else {
                let name = self.ident()?;
                let kind = self.cql_type(false)?;
                let is_static = self.eat_kw("static");
                let primary_key = self.eat_kw("primary");
                if primary_key {
                    self.expect_kw("key")?;
                    keys.push((vec![name.clone()], Vec::new()));
                }
                columns.push(ColumnDef {
                    name,
                    kind,
                    is_static,
                    primary_key,
                });
            }
            if !self.eat_sym(Sym::Comma) {
                break;
            }
        }
        self.expect_sym(Sym::RParen)?;

        let mut clustering_order = Vec::new();
        let mut options = Vec::new();
        if self.eat_kw("with") {
            loop {
                if self.at_kw("clustering") && is_kw(self.peek_at(1), "order") {
                    self.skip(2);
                    self.expect_kw("by")?;
                    self.expect_sym(Sym::LParen)?;
                    loop {
                        let column = self.ident()?;
                        clustering_order.push((column, self.direction()));
                        if !self.eat_sym(Sym::Comma) {
                            break;
                        }
                    }
                    self.expect_sym(Sym::RParen)?;
                } else {
                    options.push(self.property()?);
                }
                if !self.eat_kw("and") {
                    break;
                }
            }
        }

        if keys.len() > 1 {
            return Err(SyntaxError {
                message: "Multiple PRIMARY KEYs specified (exactly one required)".to_owned(),
            });
        }
        // No key at all is left to the executor, which refuses it as Scylla does.
        let (partition_key, clustering_key) = keys.pop().unwrap_or_default();
        Ok(CreateTable {
            table,
            if_not_exists,
            columns,
            partition_key,
            clustering_key,
            clustering_order,
            options,
        })
    }

    /// An optional `ASC` or `DESC`: `true` for DESC.
    fn direction(&mut self) -> bool {
        if self.eat_kw("desc") {
            true
        } else {
            self.eat_kw("asc");
            false
        }
    }

    fn select(&mut self) -> PResult<Select> {
        self.advance();
        let next = self.peek_at(1);
        let distinct = self.at_kw("distinct")
            && !(next.kind == Kind::Sym(Sym::Comma) || is_kw(next, "from") || is_kw(next, "as"));
        if distinct {
            self.advance();
        }
        let selection = self.selection()?;
        self.expect_kw("from")?;
        let table = self.qualified_name()?;
        let relations = if self.eat_kw("where") {
            self.relations()?
        } else {
            Vec::new()
        };
        let mut order_by = Vec::new();
        if self.eat_kw("order") {
            self.expect_kw("by")?;
            loop {
                let column = self.ident()?;
                order_by.push((column, self.direction()));
                if !self.eat_sym(Sym::Comma) {
                    break;
                }
            }
        }
        let mut per_partition_limit = None;
        if self.at_kw("per") && is_kw(self.peek_at(1), "partition") {
            self.skip(2);
            self.expect_kw("limit")?;
            per_partition_limit = Some(self.int_or_bind()?);
        }
        let limit = if self.eat_kw("limit") {
            Some(self.int_or_bind()?)
        } else {
            None
        };
        let allow_filtering = self.eat_kw("allow");
        if allow_filtering {
            self.expect_kw("filtering")?;
        }
        Ok(Select {
            table,
            distinct,
            selection,
            relations,
            order_by,
            per_partition_limit,
            limit,
            allow_filtering,
        })
    }

    fn selection(&mut self) -> PResult<Selection> {
        if self.eat_sym(Sym::Star) {
            return Ok(Selection::All);
        }
        if self.at_kw("count") && self.peek_at(1).kind == Kind::Sym(Sym::LParen) {
            self.skip(2);
            let one = self.peek().kind == Kind::Int && self.peek().text == "1";
            if one {
                self.advance();
            } else if !self.eat_sym(Sym::Star) {
                return Err(self.mismatched("'*'"));
            }
            self.expect_sym(Sym::RParen)?;
            return Ok(Selection::Count {
                alias: self.alias()?,
            });
        }
        let mut selectors = Vec::new();
        loop {
            let function = self.peek_at(1).kind == Kind::Sym(Sym::LParen);
            let kind = if function && (self.at_kw("ttl") || self.at_kw("writetime")) {
                let ttl = self.at_kw("ttl");
                self.skip(2);
                let column = self.ident()?;
                self.expect_sym(Sym::RParen)?;
                if ttl {
                    SelectorKind::Ttl(column)
                } else {
                    SelectorKind::WriteTime(column)
                }
            } else {
                SelectorKind::Column(self.ident()?)
            };
            selectors.push(Selector {
                kind,
                alias: self.alias()?,
            });
            if !self.eat_sym(Sym::Comma) {
                break;
            }
        }
        Ok(Selection::Columns(selectors))
    }

    /// `AS name`, if there.
    fn alias(&mut self) -> PResult<Option<String>> {
        if self.eat_kw("as") {
            Ok(Some(self.ident()?))
        } else {
            Ok(None)
        }
    }

    /// `rel (AND rel)*`, after WHERE.
    fn relations(&mut self) -> PResult<Vec<Relation>> {
        let mut relations = vec![self.relation()?];
        while self.eat_kw("and") {
            relations.push(self.relation()?);
        }
        Ok(relations)
    }

    fn relation(&mut self) -> PResult<Relation> {
        if self.eat_sym(Sym::LParen) {
            let columns = self.ident_list()?;
            self.expect_sym(Sym::RParen)?;
            let op = self.operator()?;
            self.expect_sym(Sym::LParen)?;
            let values = self.term_list(Sym::RParen)?;
            return Ok(Relation::Tuple {
                columns,
                op,
                values,
            });
        }
        if self.at_kw("token") && self.peek_at(1).kind == Kind::Sym(Sym::LParen) {
            self.skip(2);
            let columns = self.ident_list()?;
            self.expect_sym(Sym::RParen)?;
            let op = self.operator()?;
            return Ok(Relation::Token {
                columns,
                op,
                value: self.term()?,
            });
        }
        let column = self.ident()?;
        if self.eat_kw("in") {
            return Ok(Relation::In {
                column,
                values: self.in_values()?,
            });
        }
        let op = self.operator()?;
        Ok(Relation::Compare {
            column,
            op,
            value: self.term()?,
        })
    }

    fn operator(&mut self) -> PResult<Operator> {
        match comparison(self.peek()) {
            Some(op) => {
                self.advance();
                Ok(op)
            }
            None => Err(self.mismatched("one of '=', '<', '<=', '>', '>=', '!='")),
        }
    }

    /// After IN: `(t, …)` or a bind marker.
    fn in_values(&mut self) -> PResult<InValues> {
        if self.at_sym(Sym::Question) || self.at_sym(Sym::Colon) {
            return Ok(InValues::Bind(self.term()?));
        }
        self.expect_sym(Sym::LParen)?;
        Ok(InValues::Terms(self.term_list(Sym::RParen)?))
    }

    /// After USING: `TTL t`, `TIMESTAMP t`, joined by AND.
    fn using(&mut self, statement: &str) -> PResult<Using> {
        let mut using = Using::default();
        loop {
            let token = self.peek().clone();
            if self.eat_kw("ttl") {
                if statement != "INSERT" && statement != "UPDATE" {
                    return Err(error_at(
                        &token,
                        &format!("TTL is not supported with {statement}"),
                    ));
                }
                if using.ttl.is_some() {
                    return Err(error_at(&token, "TTL given twice"));
                }
                using.ttl = Some(self.int_or_bind()?);
            } else if self.eat_kw("timestamp") {
                if using.timestamp.is_some() {
                    return Err(error_at(&token, "TIMESTAMP given twice"));
                }
                using.timestamp = Some(self.int_or_bind()?);
            } else {
                return Err(self.mismatched("TTL or TIMESTAMP"));
            }
            if !self.eat_kw("and") {
                return Ok(using);
            }
        }
    }

    fn insert(&mut self) -> PResult<Insert> {
        self.advance();
        self.expect_kw("into")?;
        let table = self.qualified_name()?;
        self.expect_sym(Sym::LParen)?;
        let columns = self.ident_list()?;
        self.expect_sym(Sym::RParen)?;
        self.expect_kw("values")?;
        let values_token = self.peek().clone();
        self.expect_sym(Sym::LParen)?;
        let values = self.term_list(Sym::RParen)?;
        if columns.len() != values.len() {
            return Err(error_at(&values_token, "Unmatched column names/values"));
        }
        let mut if_not_exists = false;
        let mut using = None;
        loop {
            if !if_not_exists && self.at_kw("if") {
                if_not_exists = self.if_not_exists()?;
            } else if using.is_none() && self.eat_kw("using") {
                using = Some(self.using("INSERT")?);
            } else {
                break;
            }
        }
        Ok(Insert {
            table,
            columns,
            values,
            if_not_exists,
            using: using.unwrap_or_default(),
        })
    }

    fn update(&mut self) -> PResult<Update> {
        self.advance();
        let table = self.qualified_name()?;
        let using = if self.eat_kw("using") {
            self.using("UPDATE")?
        } else {
            Using::default()
        };
        self.expect_kw("set")?;
        let mut assignments = vec![self.assignment()?];
        while self.eat_sym(Sym::Comma) {
            assignments.push(self.assignment()?);
        }
        self.expect_kw("where")?;
        let relations = self.relations()?;
        let condition = self.condition_clause()?;
        Ok(Update {
            table,
            using,
            assignments,
            relations,
            condition,
        })
    }

    fn assignment(&mut self) -> PResult<Assignment> {
        let column = self.ident()?;
        if self.eat_sym(Sym::LBracket) {
            let key = self.term()?;
            self.expect_sym(Sym::RBracket)?;
            self.expect_sym(Sym::Eq)?;
            return Ok(Assignment::SetElement {
                column,
                key,
                value: self.term()?,
            });
        }
        self.expect_sym(Sym::Eq)?;
        let arithmetic = matches!(self.peek_at(1).kind, Kind::Sym(Sym::Plus | Sym::Minus));
        if is_identifier(self.peek()) && arithmetic {
            self.same_column(&column)?;
            let add = self.advance().kind == Kind::Sym(Sym::Plus);
            let value = self.term()?;
            return Ok(if add {
                Assignment::Add { column, value }
            } else {
                Assignment::Remove { column, value }
            });
        }
        let value = self.term()?;
        if self.eat_sym(Sym::Plus) {
            // `col = t + col`: prepending to a list, read as an addition.
            self.same_column(&column)?;
            return Ok(Assignment::Add { column, value });
        }
        Ok(Assignment::Set { column, value })
    }

    /// Reads the column on the right of `col = col + t`, which must be `col` itself.
    fn same_column(&mut self, column: &str) -> PResult<()> {
        let token = self.peek().clone();
        let other = self.ident()?;
        if other == column {
            Ok(())
        } else {
            Err(error_at(
                &token,
                &format!(
                    "Only expressions of the form X = X + <value> are supported (found '{}' \
                     in the assignment to {column})",
                    token.text
                ),
            ))
        }
    }

    /// `IF EXISTS` or `IF cond AND …` of UPDATE and DELETE, if there.
    fn condition_clause(&mut self) -> PResult<Option<IfClause>> {
        if !self.eat_kw("if") {
            return Ok(None);
        }
        let next = self.peek_at(1);
        let condition_follows = comparison(next).is_some()
            || is_kw(next, "in")
            || next.kind == Kind::Sym(Sym::LBracket);
        if self.at_kw("exists") && !condition_follows {
            self.advance();
            return Ok(Some(IfClause::Exists));
        }
        let mut conditions = vec![self.condition()?];
        while self.eat_kw("and") {
            conditions.push(self.condition()?);
        }
        Ok(Some(IfClause::Conditions(conditions)))
    }

    fn condition(&mut self) -> PResult<Condition> {
        let column = self.ident()?;
        if self.eat_kw("in") {
            return Ok(Condition::In {
                column,
                values: self.in_values()?,
            });
        }
        let op = self.operator()?;
        Ok(Condition::Compare {
            column,
            op,
            value: self.term()?,
        })
    }

    fn delete(&mut self) -> PResult<Delete> {
        self.advance();
        let columns = if self.at_kw("from") {
            Vec::new()
        } else {
            self.ident_list()?
        };
        self.expect_kw("from")?;
        let table = self.qualified_name()?;
        let using = if self.eat_kw("using") {
            self.using("DELETE")?
        } else {
            Using::default()
        };
        self.expect_kw("where")?;
        let relations = self.relations()?;
        let condition = self.condition_clause()?;
        Ok(Delete {
            table,
            columns,
            using,
            relations,
            condition,
        })
    }

    fn batch(&mut self) -> PResult<Batch> {
        self.advance();
        let kind = if self.eat_kw("unlogged") {
            BatchKind::Unlogged
        } else if self.eat_kw("counter") {
            BatchKind::Counter
        } else {
            BatchKind::Logged
        };
        self.expect_kw("batch")?;
        let using = if self.eat_kw("using") {
            self.using("BATCH")?
        } else {
            Using::default()
        };
        let mut statements = Vec::new();
        while !self.at_kw("apply") {
            let statement = if self.at_kw("insert") {
                BatchStatement::Insert(self.insert()?)
            } else if self.at_kw("update") {
                BatchStatement::Update(self.update()?)
            } else if self.at_kw("delete") {
                BatchStatement::Delete(self.delete()?)
            } else {
                return Err(self.mismatched("APPLY"));
            };
            statements.push(statement);
            self.eat_sym(Sym::Semi);
        }
        self.expect_kw("apply")?;
        self.expect_kw("batch")?;
        Ok(Batch {
            kind,
            using,
            statements,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(text: &str) -> Statement {
        match parse(text) {
            Ok(parsed) => parsed.statement,
            Err(e) => panic!("{text:?} did not parse: {}", e.message),
        }
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(parsed) => panic!("{text:?} parsed: {parsed:?}"),
            Err(e) => e.message,
        }
    }

    fn select(text: &str) -> Select {
        match stmt(text) {
            Statement::Select(s) => s,
            other => panic!("not a select: {other:?}"),
        }
    }

    fn insert(text: &str) -> Insert {
        match stmt(text) {
            Statement::Insert(s) => s,
            other => panic!("not an insert: {other:?}"),
        }
    }

    fn update(text: &str) -> Update {
        match stmt(text) {
            Statement::Update(s) => s,
            other => panic!("not an update: {other:?}"),
        }
    }

    fn delete(text: &str) -> Delete {
        match stmt(text) {
            Statement::Delete(s) => s,
            other => panic!("not a delete: {other:?}"),
        }
    }

    fn create_table(text: &str) -> CreateTable {
        match stmt(text) {
            Statement::CreateTable(s) => s,
            other => panic!("not a create table: {other:?}"),
        }
    }

    /// The value of `SELECT * FROM t WHERE a = <term>`.
    fn term(text: &str) -> Term {
        let s = select(&format!("SELECT * FROM t WHERE a = {text}"));
        match s.relations.into_iter().next() {
            Some(Relation::Compare { value, .. }) => value,
            other => panic!("unexpected relation {other:?}"),
        }
    }

    fn name(name: &str) -> QualifiedName {
        QualifiedName {
            keyspace: None,
            name: name.to_owned(),
        }
    }

    fn qname(keyspace: &str, name: &str) -> QualifiedName {
        QualifiedName {
            keyspace: Some(keyspace.to_owned()),
            name: name.to_owned(),
        }
    }

    fn s(text: &str) -> Term {
        Term::String(text.to_owned())
    }

    fn int(text: &str) -> Term {
        Term::Integer(text.to_owned())
    }

    fn col(name: &str) -> Selector {
        Selector {
            kind: SelectorKind::Column(name.to_owned()),
            alias: None,
        }
    }

    fn eq(column: &str, value: Term) -> Relation {
        Relation::Compare {
            column: column.to_owned(),
            op: Operator::Eq,
            value,
        }
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    // --- Simple statements ----------------------------------------------------------------------

    #[test]
    fn use_keyspace() {
        assert_eq!(stmt("USE helpline"), Statement::Use("helpline".to_owned()));
        assert_eq!(stmt("use Helpline;"), Statement::Use("helpline".to_owned()));
        assert_eq!(
            stmt("USE \"Helpline\""),
            Statement::Use("Helpline".to_owned())
        );
    }

    #[test]
    fn create_keyspace() {
        let parsed = stmt(
            "CREATE KEYSPACE IF NOT EXISTS helpline WITH replication = \
             {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = true;",
        );
        assert_eq!(
            parsed,
            Statement::CreateKeyspace(CreateKeyspace {
                name: "helpline".to_owned(),
                if_not_exists: true,
                options: vec![
                    (
                        "replication".to_owned(),
                        OptionValue::Map(vec![
                            (s("class"), s("SimpleStrategy")),
                            (s("replication_factor"), int("1")),
                        ])
                    ),
                    (
                        "durable_writes".to_owned(),
                        OptionValue::Term(Term::Boolean(true))
                    ),
                ],
            })
        );
        let Statement::CreateKeyspace(plain) =
            stmt("create keyspace ks with REPLICATION = {'class': 'NetworkTopologyStrategy'}")
        else {
            panic!("not a create keyspace");
        };
        assert!(!plain.if_not_exists);
        assert_eq!(plain.options.len(), 1);
    }

    #[test]
    fn drop_keyspace_table_truncate() {
        assert_eq!(
            stmt("DROP KEYSPACE ks"),
            Statement::DropKeyspace {
                name: "ks".to_owned(),
                if_exists: false
            }
        );
        assert_eq!(
            stmt("drop keyspace if exists ks;"),
            Statement::DropKeyspace {
                name: "ks".to_owned(),
                if_exists: true
            }
        );
        assert_eq!(
            stmt("DROP TABLE t"),
            Statement::DropTable {
                table: name("t"),
                if_exists: false
            }
        );
        assert_eq!(
            stmt("DROP TABLE IF EXISTS ks.t"),
            Statement::DropTable {
                table: qname("ks", "t"),
                if_exists: true
            }
        );
        assert_eq!(stmt("TRUNCATE ks.t"), Statement::Truncate(qname("ks", "t")));
        assert_eq!(stmt("truncate table t;"), Statement::Truncate(name("t")));
    }

    #[test]
    fn unsupported_statements_keep_their_text() {
        for text in [
            "CREATE INDEX ON t (a)",
            "CREATE INDEX IF NOT EXISTS t_a ON ks.t (a);",
            "CREATE CUSTOM INDEX ON t (a) USING 'StorageAttachedIndex'",
            "CREATE MATERIALIZED VIEW v AS SELECT * FROM t WHERE a IS NOT NULL PRIMARY KEY (a)",
            "DROP INDEX t_a",
            "DROP MATERIALIZED VIEW v",
        ] {
            let padded = format!("  {text}\n");
            assert_eq!(stmt(&padded), Statement::Unsupported(text.to_owned()));
        }
    }

    // --- CREATE TABLE ---------------------------------------------------------------------------

    #[test]
    fn create_table_with_compound_key_and_options() {
        let t = create_table(
            "CREATE TABLE IF NOT EXISTS helpline.messages (\
                guild_id bigint, channel_id bigint, id bigint, seq int, \
                body text, title text static, \
                PRIMARY KEY ((guild_id, channel_id), id, seq)\
             ) WITH CLUSTERING ORDER BY (id DESC, seq ASC) \
               AND default_time_to_live = 86400 \
               AND compaction = {'class': 'LeveledCompactionStrategy'} \
               AND comment = 'messages'",
        );
        assert_eq!(t.table, qname("helpline", "messages"));
        assert!(t.if_not_exists);
        assert_eq!(t.columns.len(), 6);
        assert_eq!(
            t.columns[5],
            ColumnDef {
                name: "title".to_owned(),
                kind: CqlType::Text,
                is_static: true,
                primary_key: false,
            }
        );
        assert_eq!(t.partition_key, strings(&["guild_id", "channel_id"]));
        assert_eq!(t.clustering_key, strings(&["id", "seq"]));
        assert_eq!(
            t.clustering_order,
            vec![("id".to_owned(), true), ("seq".to_owned(), false)]
        );
        assert_eq!(
            t.options,
            vec![
                (
                    "default_time_to_live".to_owned(),
                    OptionValue::Term(int("86400"))
                ),
                (
                    "compaction".to_owned(),
                    OptionValue::Map(vec![(s("class"), s("LeveledCompactionStrategy"))])
                ),
                ("comment".to_owned(), OptionValue::Term(s("messages"))),
            ]
        );
    }

    #[test]
    fn create_table_key_forms() {
        let t = create_table("CREATE TABLE t (a int, c int, v text, PRIMARY KEY (a, c))");
        assert_eq!(t.partition_key, strings(&["a"]));
        assert_eq!(t.clustering_key, strings(&["c"]));
        assert!(t.clustering_order.is_empty() && t.options.is_empty());

        let t = create_table("CREATE TABLE t (a int, b int, PRIMARY KEY ((a, b)))");
        assert_eq!(t.partition_key, strings(&["a", "b"]));
        assert!(t.clustering_key.is_empty());

        let t = create_table(
            "CREATE TABLE t (id bigint PRIMARY KEY, data blob) WITH gc_grace_seconds = 0",
        );
        assert_eq!(t.partition_key, strings(&["id"]));
        assert!(t.clustering_key.is_empty());
        assert!(t.columns[0].primary_key);
        assert!(!t.columns[1].primary_key);
        assert_eq!(
            t.options,
            vec![("gc_grace_seconds".to_owned(), OptionValue::Term(int("0")))]
        );

        // Clustering order after other options.
        let t = create_table(
            "CREATE TABLE t (a int, c int, PRIMARY KEY (a, c)) WITH comment = '' AND CLUSTERING ORDER BY (c DESC)",
        );
        assert_eq!(t.clustering_order, vec![("c".to_owned(), true)]);
        assert_eq!(t.options.len(), 1);
    }

    #[test]
    fn create_table_primary_key_count() {
        let expected = "Multiple PRIMARY KEYs specified (exactly one required)";
        assert_eq!(
            err("CREATE TABLE t (a int PRIMARY KEY, b int, PRIMARY KEY (b))"),
            expected
        );
        assert_eq!(
            err("CREATE TABLE t (a int PRIMARY KEY, b int PRIMARY KEY)"),
            expected
        );
        let t = create_table("CREATE TABLE t (a int, b int)");
        assert!(t.partition_key.is_empty() && t.clustering_key.is_empty());
    }

    #[test]
    fn types() {
        let t = create_table(
            "CREATE TABLE t (a ascii, b text, c varchar, d bigint, e int, f smallint, g tinyint, \
             h boolean, i blob, j uuid, k timeuuid, l timestamp, m double, n float, o inet, \
             p counter, q list<int>, r set<text>, s map<text, bigint>, u FROZEN<List<Int>>, \
             v map<text, frozen<map<text, frozen<set<uuid>>>>>, \
             w frozen<map<text, list<int>>>, PRIMARY KEY (a))",
        );
        let kinds: Vec<CqlType> = t.columns.into_iter().map(|c| c.kind).collect();
        let boxed = Box::new;
        assert_eq!(
            kinds,
            vec![
                CqlType::Ascii,
                CqlType::Text,
                CqlType::Text,
                CqlType::BigInt,
                CqlType::Int,
                CqlType::SmallInt,
                CqlType::TinyInt,
                CqlType::Boolean,
                CqlType::Blob,
                CqlType::Uuid,
                CqlType::TimeUuid,
                CqlType::Timestamp,
                CqlType::Double,
                CqlType::Float,
                CqlType::Inet,
                CqlType::Counter,
                CqlType::List(boxed(CqlType::Int)),
                CqlType::Set(boxed(CqlType::Text)),
                CqlType::Map(boxed(CqlType::Text), boxed(CqlType::BigInt)),
                CqlType::Frozen(boxed(CqlType::List(boxed(CqlType::Int)))),
                CqlType::Map(
                    boxed(CqlType::Text),
                    boxed(CqlType::Frozen(boxed(CqlType::Map(
                        boxed(CqlType::Text),
                        boxed(CqlType::Frozen(boxed(CqlType::Set(boxed(CqlType::Uuid))))),
                    )))),
                ),
                CqlType::Frozen(boxed(CqlType::Map(
                    boxed(CqlType::Text),
                    boxed(CqlType::List(boxed(CqlType::Int))),
                ))),
            ]
        );
    }

    #[test]
    fn type_errors() {
        assert_eq!(
            err("CREATE TABLE t (a varint PRIMARY KEY)"),
            "line 1:18 Unknown type varint"
        );
        assert!(
            err("CREATE TABLE t (a frozen<int> PRIMARY KEY)").starts_with("line 1:25 frozen<>")
        );
        assert!(
            err("CREATE TABLE t (a int PRIMARY KEY, b list<list<int>>)")
                .starts_with("line 1:42 Non-frozen collections")
        );
        assert!(err("CREATE TABLE t (a int PRIMARY KEY, b set<counter>)").contains("Counters"));
        assert_eq!(
            err("CREATE TABLE t (a int PRIMARY KEY, b map<text int>)"),
            "line 1:46 mismatched input 'int' expecting ','"
        );
    }

    #[test]
    fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
        let deep = format!("INSERT INTO t (a, b) VALUES (1, {})", "[".repeat(200_000));
        assert!(err(&deep).contains("nested too deeply"), "{}", err(&deep));
        let braces = format!("INSERT INTO t (a, b) VALUES (1, {})", "{".repeat(200_000));
        assert!(err(&braces).contains("nested too deeply"));
        let types = format!(
            "CREATE TABLE t (a int PRIMARY KEY, b {}int{})",
            "frozen<list<".repeat(100_000),
            ">>".repeat(100_000)
        );
        assert!(err(&types).contains("nested too deeply"));
        // Reasonable nesting still parses.
        let fine = format!(
            "INSERT INTO t (a, b) VALUES (1, {}1{})",
            "[".repeat(30),
            "]".repeat(30)
        );
        insert(&fine);
    }

    // --- SELECT -------------------------------------------------------------------------------

    #[test]
    fn select_star_and_clauses() {
        let q = select(
            "SELECT * FROM ks.t WHERE a = 1 AND b > 2 ORDER BY b DESC, c PER PARTITION LIMIT 2 LIMIT 10 ALLOW FILTERING;",
        );
        assert_eq!(
            q,
            Select {
                table: qname("ks", "t"),
                distinct: false,
                selection: Selection::All,
                relations: vec![
                    eq("a", int("1")),
                    Relation::Compare {
                        column: "b".to_owned(),
                        op: Operator::Gt,
                        value: int("2")
                    },
                ],
                order_by: vec![("b".to_owned(), true), ("c".to_owned(), false)],
                per_partition_limit: Some(int("2")),
                limit: Some(int("10")),
                allow_filtering: true,
            }
        );
        let q = select("select * from t");
        assert!(q.relations.is_empty() && q.limit.is_none() && !q.allow_filtering);
    }

    #[test]
    fn select_selectors() {
        let q = select("SELECT DISTINCT a, ttl(b), WRITETIME(c) AS w, d AS \"D\" FROM t");
        assert!(q.distinct);
        assert_eq!(
            q.selection,
            Selection::Columns(vec![
                col("a"),
                Selector {
                    kind: SelectorKind::Ttl("b".to_owned()),
                    alias: None
                },
                Selector {
                    kind: SelectorKind::WriteTime("c".to_owned()),
                    alias: Some("w".to_owned())
                },
                Selector {
                    kind: SelectorKind::Column("d".to_owned()),
                    alias: Some("D".to_owned())
                },
            ])
        );
        assert_eq!(
            select("SELECT COUNT(*) FROM t").selection,
            Selection::Count { alias: None }
        );
        assert_eq!(
            select("select count(1) as n from t").selection,
            Selection::Count {
                alias: Some("n".to_owned())
            }
        );
        // Functions' names as columns.
        assert_eq!(
            select("SELECT count, ttl, writetime, distinct FROM t").selection,
            Selection::Columns(vec![
                col("count"),
                col("ttl"),
                col("writetime"),
                col("distinct")
            ])
        );
        let q = select("SELECT distinct FROM t");
        assert!(!q.distinct);
        assert_eq!(q.selection, Selection::Columns(vec![col("distinct")]));
    }

    #[test]
    fn select_relations() {
        let q = select(
            "SELECT * FROM t WHERE a = 1 AND b < 2 AND c <= 3 AND d > 4 AND e >= 5 AND f != 6 \
             AND g IN (1, 2) AND h IN ? AND i IN () AND (j, k) >= (7, ?) AND token(a, b) > ? \
             AND token = 8",
        );
        let cmp = |column: &str, op, value| Relation::Compare {
            column: column.to_owned(),
            op,
            value,
        };
        assert_eq!(
            q.relations,
            vec![
                cmp("a", Operator::Eq, int("1")),
                cmp("b", Operator::Lt, int("2")),
                cmp("c", Operator::Le, int("3")),
                cmp("d", Operator::Gt, int("4")),
                cmp("e", Operator::Ge, int("5")),
                cmp("f", Operator::Ne, int("6")),
                Relation::In {
                    column: "g".to_owned(),
                    values: InValues::Terms(vec![int("1"), int("2")])
                },
                Relation::In {
                    column: "h".to_owned(),
                    values: InValues::Bind(Term::Bind(0))
                },
                Relation::In {
                    column: "i".to_owned(),
                    values: InValues::Terms(vec![])
                },
                Relation::Tuple {
                    columns: strings(&["j", "k"]),
                    op: Operator::Ge,
                    values: vec![int("7"), Term::Bind(1)],
                },
                Relation::Token {
                    columns: strings(&["a", "b"]),
                    op: Operator::Gt,
                    value: Term::Bind(2)
                },
                cmp("token", Operator::Eq, int("8")),
            ]
        );
        for (text, op) in [
            ("=", Operator::Eq),
            ("<", Operator::Lt),
            ("<=", Operator::Le),
            (">", Operator::Gt),
            (">=", Operator::Ge),
            ("!=", Operator::Ne),
        ] {
            let q = select(&format!("SELECT * FROM t WHERE (a,b){text}(1,2)"));
            assert!(
                matches!(q.relations[0], Relation::Tuple { op: o, .. } if o == op),
                "{text}"
            );
        }
    }

    #[test]
    fn select_limits_take_bind_markers() {
        let parsed = parse("SELECT * FROM t WHERE a = ? PER PARTITION LIMIT ? LIMIT :n").ok();
        let Some(Parsed {
            statement: Statement::Select(q),
            binds,
        }) = parsed
        else {
            panic!("did not parse");
        };
        assert_eq!(q.per_partition_limit, Some(Term::Bind(1)));
        assert_eq!(q.limit, Some(Term::NamedBind(2, "n".to_owned())));
        assert_eq!(binds, vec![None, None, Some("n".to_owned())]);
        assert_eq!(
            err("SELECT * FROM t LIMIT 'ten'"),
            "line 1:22 mismatched input ''ten'' expecting an integer or a bind marker"
        );
    }

    #[test]
    fn driver_queries() {
        let queries = [
            (
                "SELECT host_id, rpc_address, data_center, rack, tokens FROM system.peers",
                "system",
                "peers",
            ),
            (
                "SELECT host_id, rpc_address, data_center, rack, tokens, cluster_name FROM system.local WHERE key='local'",
                "system",
                "local",
            ),
            (
                "SELECT schema_version FROM system.local WHERE key='local'",
                "system",
                "local",
            ),
            (
                "SELECT host_id FROM system.local WHERE key='local'",
                "system",
                "local",
            ),
            (
                "SELECT keyspace_name, replication, durable_writes FROM system_schema.keyspaces",
                "system_schema",
                "keyspaces",
            ),
            (
                "SELECT keyspace_name, table_name FROM system_schema.tables",
                "system_schema",
                "tables",
            ),
            (
                "SELECT keyspace_name, table_name, column_name, kind, position, type FROM system_schema.columns",
                "system_schema",
                "columns",
            ),
            (
                "SELECT keyspace_name, type_name, field_names, field_types FROM system_schema.types",
                "system_schema",
                "types",
            ),
            (
                "SELECT keyspace_name, view_name, base_table_name FROM system_schema.views",
                "system_schema",
                "views",
            ),
            (
                "SELECT keyspace_name, table_name, partitioner FROM system_schema.scylla_tables",
                "system_schema",
                "scylla_tables",
            ),
            (
                "SELECT keyspace_name, initial_tablets, consistency FROM system_schema.scylla_keyspaces",
                "system_schema",
                "scylla_keyspaces",
            ),
        ];
        for (text, keyspace, table) in queries {
            let q = select(text);
            assert_eq!(q.table, qname(keyspace, table), "{text}");
            let Selection::Columns(columns) = &q.selection else {
                panic!("{text}")
            };
            let expected: Vec<&str> = text["SELECT ".len()..text.find(" FROM").unwrap_or(0)]
                .split(", ")
                .collect();
            let got: Vec<&str> = columns
                .iter()
                .map(|c| match &c.kind {
                    SelectorKind::Column(name) => name.as_str(),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(got, expected);

            if text.contains("WHERE") {
                assert_eq!(q.relations, vec![eq("key", s("local"))]);
            } else {
                let q = select(&format!("{text} WHERE keyspace_name = ?"));
                assert_eq!(q.relations, vec![eq("keyspace_name", Term::Bind(0))]);
                let parsed = parse(&format!("{text} WHERE keyspace_name IN ?")).ok();
                let Some(Parsed {
                    statement: Statement::Select(q),
                    binds,
                }) = parsed
                else {
                    panic!("{text} WHERE keyspace_name IN ?");
                };
                assert_eq!(
                    q.relations,
                    vec![Relation::In {
                        column: "keyspace_name".to_owned(),
                        values: InValues::Bind(Term::Bind(0)),
                    }]
                );
                assert_eq!(binds, vec![None]);
            }
        }
    }

    #[test]
    fn unreserved_keywords_are_column_names() {
        let names = [
            "key",
            "type",
            "ttl",
            "writetime",
            "count",
            "status",
            "data",
            "version",
            "timestamp",
            "text",
            "name",
            "kind",
            "position",
            "tokens",
            "rack",
            "replication",
            "durable_writes",
            "host_id",
            "rpc_address",
            "data_center",
            "cluster_name",
            "schema_version",
            "partitioner",
            "release_version",
            "table_name",
            "keyspace_name",
            "column_name",
            "field_names",
            "field_types",
            "base_table_name",
            "view_name",
            "initial_tablets",
            "consistency",
            "token",
            "values",
            "static",
            "clustering",
            "exists",
            "as",
            "distinct",
            "per",
            "partition",
            "filtering",
            "list",
            "map",
            "frozen",
            "counter",
            "unlogged",
        ];
        let columns: Vec<String> = names.iter().map(|n| format!("{n} text")).collect();
        let t = create_table(&format!(
            "CREATE TABLE t ({}, PRIMARY KEY (key, type))",
            columns.join(", ")
        ));
        assert_eq!(
            t.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            names
        );
        assert_eq!(t.partition_key, strings(&["key"]));
        assert_eq!(t.clustering_key, strings(&["type"]));

        let list = names.join(", ");
        let q = select(&format!(
            "SELECT {list} FROM t WHERE key = 'k' AND type = 1"
        ));
        let Selection::Columns(selected) = q.selection else {
            panic!("columns")
        };
        assert_eq!(selected.len(), names.len());

        let values: Vec<String> = names.iter().map(|_| "?".to_owned()).collect();
        let i = insert(&format!(
            "INSERT INTO t ({list}) VALUES ({})",
            values.join(", ")
        ));
        assert_eq!(i.columns, strings(&names));

        let u = update(
            "UPDATE t SET status = 'x', count = count + 1, exists = 1 WHERE key = 'k' IF exists = 1",
        );
        assert_eq!(u.assignments.len(), 3);
        assert_eq!(
            u.condition,
            Some(IfClause::Conditions(vec![Condition::Compare {
                column: "exists".to_owned(),
                op: Operator::Eq,
                value: int("1"),
            }]))
        );
    }

    // --- INSERT -------------------------------------------------------------------------------

    #[test]
    fn insert_plain() {
        assert_eq!(
            insert("INSERT INTO ks.t (a, b, c) VALUES (1, 'x', ?)"),
            Insert {
                table: qname("ks", "t"),
                columns: strings(&["a", "b", "c"]),
                values: vec![int("1"), s("x"), Term::Bind(0)],
                if_not_exists: false,
                using: Using::default(),
            }
        );
    }

    #[test]
    fn insert_if_not_exists_and_using_in_either_order() {
        let expected_using = Using {
            ttl: Some(int("60")),
            timestamp: Some(int("123")),
        };
        for text in [
            "INSERT INTO t (a) VALUES (1) IF NOT EXISTS USING TTL 60 AND TIMESTAMP 123",
            "INSERT INTO t (a) VALUES (1) USING TTL 60 AND TIMESTAMP 123 IF NOT EXISTS",
            "insert into t (a) values (1) using timestamp 123 and ttl 60 if not exists;",
        ] {
            let i = insert(text);
            assert!(i.if_not_exists, "{text}");
            assert_eq!(i.using, expected_using, "{text}");
        }
        let i = insert("INSERT INTO t (a) VALUES (1) USING TTL ?");
        assert!(!i.if_not_exists);
        assert_eq!(
            i.using,
            Using {
                ttl: Some(Term::Bind(0)),
                timestamp: None
            }
        );
        assert!(
            err("INSERT INTO t (a) VALUES (1) IF NOT EXISTS IF NOT EXISTS")
                .contains("mismatched input 'IF' expecting EOF")
        );
        assert_eq!(
            err("INSERT INTO t (a, b) VALUES (1)"),
            "line 1:28 Unmatched column names/values"
        );
        assert!(err("INSERT INTO t (a) VALUES (1) IF EXISTS").contains("expecting NOT"));
    }

    // --- UPDATE -------------------------------------------------------------------------------

    #[test]
    fn update_assignments() {
        let u = update(
            "UPDATE ks.t USING TTL 10 AND TIMESTAMP 20 SET a = 1, b = b + {'x'}, c = c - [1], \
             m['k'] = 'v', n = n + 5, l = [0] + l, p = p -1, q = NULL WHERE id = ?",
        );
        assert_eq!(u.table, qname("ks", "t"));
        assert_eq!(
            u.using,
            Using {
                ttl: Some(int("10")),
                timestamp: Some(int("20"))
            }
        );
        let column = |n: &str| n.to_owned();
        assert_eq!(
            u.assignments,
            vec![
                Assignment::Set {
                    column: column("a"),
                    value: int("1")
                },
                Assignment::Add {
                    column: column("b"),
                    value: Term::Set(vec![s("x")])
                },
                Assignment::Remove {
                    column: column("c"),
                    value: Term::List(vec![int("1")])
                },
                Assignment::SetElement {
                    column: column("m"),
                    key: s("k"),
                    value: s("v")
                },
                Assignment::Add {
                    column: column("n"),
                    value: int("5")
                },
                Assignment::Add {
                    column: column("l"),
                    value: Term::List(vec![int("0")])
                },
                Assignment::Remove {
                    column: column("p"),
                    value: int("1")
                },
                Assignment::Set {
                    column: column("q"),
                    value: Term::Null
                },
            ]
        );
        assert_eq!(u.relations, vec![eq("id", Term::Bind(0))]);
        assert_eq!(u.condition, None);
        assert!(
            err("UPDATE t SET a = b + 1 WHERE k = 1")
                .starts_with("line 1:17 Only expressions of the form X = X + <value>")
        );
    }

    #[test]
    fn update_if_variants() {
        assert_eq!(
            update("UPDATE t SET a = 1 WHERE k = 1 IF EXISTS").condition,
            Some(IfClause::Exists)
        );
        assert_eq!(
            update("UPDATE t SET a = 1 WHERE k = 1 IF a = 0 AND b != null AND c >= 1 AND d IN (1, 2) AND e IN ?")
                .condition,
            Some(IfClause::Conditions(vec![
                Condition::Compare { column: "a".to_owned(), op: Operator::Eq, value: int("0") },
                Condition::Compare { column: "b".to_owned(), op: Operator::Ne, value: Term::Null },
                Condition::Compare { column: "c".to_owned(), op: Operator::Ge, value: int("1") },
                Condition::In { column: "d".to_owned(), values: InValues::Terms(vec![int("1"), int("2")]) },
                Condition::In { column: "e".to_owned(), values: InValues::Bind(Term::Bind(0)) },
            ]))
        );
        assert!(err("UPDATE t SET a = 1 WHERE k = 1 IF NOT EXISTS").contains("'NOT'"));
        assert!(err("UPDATE t SET a = 1").contains("expecting WHERE"));
    }

    // --- DELETE -------------------------------------------------------------------------------

    #[test]
    fn delete_forms() {
        assert_eq!(
            delete("DELETE FROM t WHERE a = 1"),
            Delete {
                table: name("t"),
                columns: vec![],
                using: Using::default(),
                relations: vec![eq("a", int("1"))],
                condition: None,
            }
        );
        let d = delete("DELETE b, c FROM ks.t USING TIMESTAMP ? WHERE a = ? AND b > 2 IF EXISTS");
        assert_eq!(d.table, qname("ks", "t"));
        assert_eq!(d.columns, strings(&["b", "c"]));
        assert_eq!(
            d.using,
            Using {
                ttl: None,
                timestamp: Some(Term::Bind(0))
            }
        );
        assert_eq!(d.relations.len(), 2);
        assert_eq!(d.condition, Some(IfClause::Exists));
        let d = delete("DELETE FROM t WHERE a = 1 IF b = 'x'");
        assert_eq!(
            d.condition,
            Some(IfClause::Conditions(vec![Condition::Compare {
                column: "b".to_owned(),
                op: Operator::Eq,
                value: s("x"),
            }]))
        );
        assert_eq!(
            err("DELETE FROM t USING TTL 5 WHERE a = 1"),
            "line 1:20 TTL is not supported with DELETE"
        );
    }

    // --- BATCH --------------------------------------------------------------------------------

    #[test]
    fn batches() {
        let parsed = parse(
            "BEGIN BATCH USING TIMESTAMP 5 \
               INSERT INTO t (a, b) VALUES (?, ?) IF NOT EXISTS; \
               UPDATE t SET b = :b WHERE a = 1; \
               DELETE FROM t WHERE a = ? \
             APPLY BATCH;",
        )
        .ok();
        let Some(Parsed {
            statement: Statement::Batch(b),
            binds,
        }) = parsed
        else {
            panic!("not a batch");
        };
        assert_eq!(b.kind, BatchKind::Logged);
        assert_eq!(
            b.using,
            Using {
                ttl: None,
                timestamp: Some(int("5"))
            }
        );
        assert_eq!(b.statements.len(), 3);
        assert!(matches!(&b.statements[0], BatchStatement::Insert(i) if i.if_not_exists));
        let BatchStatement::Update(u) = &b.statements[1] else {
            panic!("update")
        };
        assert_eq!(
            u.assignments,
            vec![Assignment::Set {
                column: "b".to_owned(),
                value: Term::NamedBind(2, "b".to_owned())
            }]
        );
        assert!(
            matches!(&b.statements[2], BatchStatement::Delete(d) if d.relations == vec![eq("a", Term::Bind(3))])
        );
        assert_eq!(binds, vec![None, None, Some("b".to_owned()), None]);

        let Statement::Batch(b) = stmt(
            "begin unlogged batch insert into t (a) values (1) insert into t (a) values (2); apply batch",
        ) else {
            panic!("batch");
        };
        assert_eq!(b.kind, BatchKind::Unlogged);
        assert_eq!(b.statements.len(), 2);

        let Statement::Batch(b) =
            stmt("BEGIN COUNTER BATCH UPDATE t SET c = c + 1 WHERE a = 1; APPLY BATCH")
        else {
            panic!("batch");
        };
        assert_eq!(b.kind, BatchKind::Counter);
        assert_eq!(b.statements.len(), 1);

        assert!(
            err("BEGIN BATCH SELECT * FROM t APPLY BATCH")
                .contains("mismatched input 'SELECT' expecting APPLY")
        );
        assert!(
            err("BEGIN BATCH INSERT INTO t (a) VALUES (1)").contains("'<EOF>' expecting APPLY")
        );
        assert!(
            err("BEGIN BATCH USING TTL 5 APPLY BATCH").contains("TTL is not supported with BATCH")
        );
    }

    // --- Terms, quoting, comments, binds ------------------------------------------------------

    #[test]
    fn literal_terms() {
        assert_eq!(term("'it''s'"), s("it's"));
        assert_eq!(term("''"), s(""));
        assert_eq!(term("$$it's $ \"raw\"$$"), s("it's $ \"raw\""));
        assert_eq!(term("42"), int("42"));
        assert_eq!(term("-5"), int("-5"));
        assert_eq!(term("1.5"), Term::Float("1.5".to_owned()));
        assert_eq!(term("-2e3"), Term::Float("-2e3".to_owned()));
        assert_eq!(term("1.5E-3"), Term::Float("1.5E-3".to_owned()));
        assert_eq!(term("NaN"), Term::Float("NaN".to_owned()));
        assert_eq!(term("Infinity"), Term::Float("Infinity".to_owned()));
        assert_eq!(term("-Infinity"), Term::Float("-Infinity".to_owned()));
        assert_eq!(term("true"), Term::Boolean(true));
        assert_eq!(term("FALSE"), Term::Boolean(false));
        assert_eq!(term("null"), Term::Null);
        assert_eq!(term("1."), Term::Float("1.".to_owned()));
        assert_eq!(term("0xCAFE"), Term::Hex("CAFE".to_owned()));
        assert_eq!(term("0x"), Term::Hex(String::new()));
        assert_eq!(
            term("123e4567-e89b-12d3-a456-426614174000"),
            Term::Uuid("123e4567-e89b-12d3-a456-426614174000".to_owned())
        );
        assert_eq!(
            term("ABCDEF01-e89b-12d3-a456-426614174000"),
            Term::Uuid("ABCDEF01-e89b-12d3-a456-426614174000".to_owned())
        );
        assert!(
            err("SELECT * FROM t WHERE a = - 5").contains("no viable alternative at input '-'")
        );
    }

    #[test]
    fn collection_terms() {
        assert_eq!(term("[1, 2]"), Term::List(vec![int("1"), int("2")]));
        assert_eq!(term("[]"), Term::List(vec![]));
        assert_eq!(term("{'a', 'b'}"), Term::Set(vec![s("a"), s("b")]));
        assert_eq!(term("{}"), Term::Map(vec![]));
        assert_eq!(
            term("{'a': 1, 'b': [2, 3]}"),
            Term::Map(vec![
                (s("a"), int("1")),
                (s("b"), Term::List(vec![int("2"), int("3")]))
            ])
        );
        assert_eq!(
            term("{1: {'x'}, ?: :v}"),
            Term::Map(vec![
                (int("1"), Term::Set(vec![s("x")])),
                (Term::Bind(0), Term::NamedBind(1, "v".to_owned())),
            ])
        );
        assert_eq!(term("[{}]"), Term::List(vec![Term::Map(vec![])]));
        assert!(
            err("SELECT * FROM t WHERE a = {1: 2, 3}")
                .contains("mismatched input '}' expecting ':'")
        );
    }

    #[test]
    fn quoting_and_case() {
        let q = select(
            "SeLeCt \"Name\", Other, \"with \"\"quote\"\"\" FrOm \"MyKs\".MyTable WhErE \"Key\" = 'Value'",
        );
        assert_eq!(
            q.selection,
            Selection::Columns(vec![col("Name"), col("other"), col("with \"quote\"")])
        );
        assert_eq!(q.table, qname("MyKs", "mytable"));
        assert_eq!(q.relations, vec![eq("Key", s("Value"))]);
        // A quoted keyword is an identifier.
        let q = select("SELECT \"select\", \"FROM\" FROM \"table\"");
        assert_eq!(
            q.selection,
            Selection::Columns(vec![col("select"), col("FROM")])
        );
        assert_eq!(q.table, name("table"));
        assert!(err("SELECT from FROM t").contains("no viable alternative at input 'from'"));
    }

    #[test]
    fn comments_are_skipped() {
        let q = select(
            "-- leading comment\n\
             SELECT /* inline\n block */ a, // trailing\n\
             b FROM t -- end\n\
             WHERE a = 1; // after",
        );
        assert_eq!(q.selection, Selection::Columns(vec![col("a"), col("b")]));
        assert_eq!(q.relations, vec![eq("a", int("1"))]);
        assert_eq!(
            err("SELECT * /* never closed FROM t"),
            "line 1:9 unterminated comment"
        );
    }

    #[test]
    fn bind_markers_are_numbered_in_order() {
        let Ok(parsed) = parse(
            "UPDATE t USING TTL :ttl SET a = ?, m[:key] = ?, b = b + :more WHERE id = ? AND c IN ? IF d = :d",
        ) else {
            panic!("did not parse");
        };
        assert_eq!(
            parsed.binds,
            vec![
                Some("ttl".to_owned()),
                None,
                Some("key".to_owned()),
                None,
                Some("more".to_owned()),
                None,
                None,
                Some("d".to_owned()),
            ]
        );
        let Statement::Update(u) = parsed.statement else {
            panic!("update")
        };
        assert_eq!(u.using.ttl, Some(Term::NamedBind(0, "ttl".to_owned())));
        assert_eq!(
            u.assignments,
            vec![
                Assignment::Set {
                    column: "a".to_owned(),
                    value: Term::Bind(1)
                },
                Assignment::SetElement {
                    column: "m".to_owned(),
                    key: Term::NamedBind(2, "key".to_owned()),
                    value: Term::Bind(3),
                },
                Assignment::Add {
                    column: "b".to_owned(),
                    value: Term::NamedBind(4, "more".to_owned())
                },
            ]
        );
        assert_eq!(
            u.relations,
            vec![
                eq("id", Term::Bind(5)),
                Relation::In {
                    column: "c".to_owned(),
                    values: InValues::Bind(Term::Bind(6))
                },
            ]
        );
        assert_eq!(
            u.condition,
            Some(IfClause::Conditions(vec![Condition::Compare {
                column: "d".to_owned(),
                op: Operator::Eq,
                value: Term::NamedBind(7, "d".to_owned()),
            }]))
        );
        // Names are identifiers: lowercased unless quoted.
        let Ok(parsed) = parse("SELECT * FROM t WHERE a = :Foo AND b = :\"Bar\"") else {
            panic!("did not parse");
        };
        assert_eq!(
            parsed.binds,
            vec![Some("foo".to_owned()), Some("Bar".to_owned())]
        );
        // Statements without markers have none.
        assert_eq!(parse("SELECT * FROM t").map(|p| p.binds), Ok(vec![]));
    }

    // --- Errors -------------------------------------------------------------------------------

    #[test]
    fn misspelt_keywords() {
        assert_eq!(
            err("SELEC * FROM t"),
            "line 1:0 no viable alternative at input 'SELEC'"
        );
        assert_eq!(
            err("SELECT * FORM t"),
            "line 1:9 mismatched input 'FORM' expecting FROM"
        );
        assert_eq!(
            err("SELECT * FROM t WHERE a = 1 ALOW FILTERING"),
            "line 1:28 mismatched input 'ALOW' expecting EOF"
        );
        assert_eq!(
            err("CREATE TABEL t (a int PRIMARY KEY)"),
            "line 1:7 no viable alternative at input 'TABEL'"
        );
    }

    #[test]
    fn missing_from() {
        assert_eq!(
            err("SELECT a, b WHERE a = 1"),
            "line 1:12 mismatched input 'WHERE' expecting FROM"
        );
        assert_eq!(
            err("SELECT *"),
            "line 1:8 mismatched input '<EOF>' expecting FROM"
        );
        assert_eq!(
            err("DELETE a t WHERE k = 1"),
            "line 1:9 mismatched input 't' expecting FROM"
        );
    }

    #[test]
    fn unterminated_literals() {
        assert_eq!(
            err("SELECT * FROM t WHERE a = 'abc"),
            "line 1:26 unterminated string at input ''abc'"
        );
        assert_eq!(
            err("SELECT * FROM t WHERE a = $$abc"),
            "line 1:26 unterminated string at input '$$abc'"
        );
        assert_eq!(
            err("SELECT \"abc FROM t"),
            "line 1:7 unterminated quoted identifier at input '\"abc FROM t'"
        );
    }

    #[test]
    fn trailing_garbage_and_positions() {
        assert_eq!(
            err("USE ks extra"),
            "line 1:7 mismatched input 'extra' expecting EOF"
        );
        assert_eq!(
            err("USE ks; USE other"),
            "line 1:8 mismatched input 'USE' expecting EOF"
        );
        assert_eq!(
            err("SELECT *\nFROM t\n  WHERE a = 1 garbage"),
            "line 3:14 mismatched input 'garbage' expecting EOF"
        );
        assert_eq!(
            err("SELECT * FROM t WHERE a # 1"),
            "line 1:24 token recognition error at: '#'"
        );
        assert_eq!(
            err("SELECT * FROM t WHERE a LIKE 'x'"),
            "line 1:24 mismatched input 'LIKE' expecting one of '=', '<', '<=', '>', '>=', '!='"
        );
        // Columns count characters, not bytes.
        assert_eq!(
            err("SELECT * FROM t WHERE a = 'é' junk"),
            "line 1:30 mismatched input 'junk' expecting EOF"
        );
        assert_eq!(
            err("DELETE FROM t"),
            "line 1:13 mismatched input '<EOF>' expecting WHERE"
        );
        assert_eq!(err(""), "line 1:0 no viable alternative at input '<EOF>'");
        assert_eq!(err("  ;"), "line 1:2 no viable alternative at input ';'");
        assert_eq!(
            err("SELECT * FROM t WHERE"),
            "line 1:21 no viable alternative at input '<EOF>'"
        );
    }
}
