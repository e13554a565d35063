//! Checks on the FTL sources themselves: they parse, they load, every language has every key
//! with the same variables, and French follows its typography.

use crate::translator::{build_bundle, source};
use fluent_syntax::ast::{
    CallArguments, Entry, Expression, InlineExpression, Pattern, PatternElement,
};
use fluent_syntax::parser;
use helpline_domain::Language;
use std::collections::{BTreeMap, BTreeSet};

/// Each message, term (`-id`) and attribute (`id.attribute`) of `source`, with the variables it
/// uses anywhere: placeables, selectors, every variant, function and term arguments.
pub(crate) fn variables_by_key(source: &str) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let resource = parser::parse(source).map_err(|(_, errors)| format!("{errors:?}"))?;
    let mut keys = BTreeMap::new();
    for entry in &resource.body {
        let (id, value, attributes) = match entry {
            Entry::Message(message) => (
                message.id.name.to_owned(),
                message.value.as_ref(),
                &message.attributes,
            ),
            Entry::Term(term) => (
                format!("-{}", term.id.name),
                Some(&term.value),
                &term.attributes,
            ),
            Entry::Comment(_)
            | Entry::GroupComment(_)
            | Entry::ResourceComment(_)
            | Entry::Junk { .. } => continue,
        };
        let mut variables = BTreeSet::new();
        if let Some(value) = value {
            pattern_variables(value, &mut variables);
        }
        keys.insert(id.clone(), variables);
        for attribute in attributes {
            let mut variables = BTreeSet::new();
            pattern_variables(&attribute.value, &mut variables);
            keys.insert(format!("{id}.{}", attribute.id.name), variables);
        }
    }
    Ok(keys)
}

fn pattern_variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { .. } => {}
            PatternElement::Placeable { expression } => expression_variables(expression, out),
        }
    }
}

fn expression_variables(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
        Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        InlineExpression::FunctionReference { arguments, .. }
        | InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => call_variables(arguments, out),
        InlineExpression::Placeable { expression } => expression_variables(expression, out),
        InlineExpression::TermReference {
            arguments: None, ..
        }
        | InlineExpression::MessageReference { .. }
        | InlineExpression::StringLiteral { .. }
        | InlineExpression::NumberLiteral { .. } => {}
    }
}

fn call_variables(arguments: &CallArguments<&str>, out: &mut BTreeSet<String>) {
    for positional in &arguments.positional {
        inline_variables(positional, out);
    }
    for named in &arguments.named {
        inline_variables(&named.value, out);
    }
}

/// Every difference between a reference language's keys and another's.
fn compare(reference: &str, other: &str) -> Vec<String> {
    let reference = match variables_by_key(reference) {
        Ok(keys) => keys,
        Err(error) => return vec![format!("reference does not parse: {error}")],
    };
    let other = match variables_by_key(other) {
        Ok(keys) => keys,
        Err(error) => return vec![format!("translation does not parse: {error}")],
    };
    let mut problems = Vec::new();
    for (key, variables) in &reference {
        match other.get(key) {
            None => problems.push(format!("`{key}` is missing")),
            Some(found) if found != variables => {
                problems.push(format!("`{key}` uses {found:?} instead of {variables:?}"));
            }
            Some(_) => {}
        }
    }
    for key in other.keys().filter(|key| !reference.contains_key(*key)) {
        problems.push(format!("`{key}` is not in the reference"));
    }
    problems
}

#[test]
fn resources_parse_without_errors() {
    for language in Language::ALL {
        if let Err((_, errors)) = parser::parse(source(language)) {
            panic!("{} has syntax errors: {errors:#?}", language.tag());
        }
    }
}

#[test]
fn resources_load_into_bundles_without_errors_or_overrides() {
    for language in Language::ALL {
        let (_, problems) = build_bundle(language, source(language));
        assert!(problems.is_empty(), "{}: {problems:#?}", language.tag());
    }
}

#[test]
fn every_language_has_every_key_with_the_same_variables() {
    let english = source(Language::English);
    for language in Language::ALL {
        let problems = compare(english, source(language));
        assert!(problems.is_empty(), "{}: {problems:#?}", language.tag());
    }
}

#[test]
fn the_comparison_sees_variables_in_selectors_variants_attributes_and_calls() {
    let reference = "\
-brand = Helpline
hello = { $a ->
    [one] { $b }
   *[other] { NUMBER($c, minimumFractionDigits: 2) } { -brand(case: \"x\") }
}
    .title = { $e }
";
    let keys = variables_by_key(reference).expect("the sample parses");
    let hello: Vec<&str> = keys["hello"].iter().map(String::as_str).collect();
    assert_eq!(hello, ["a", "b", "c"]);
    let title: Vec<&str> = keys["hello.title"].iter().map(String::as_str).collect();
    assert_eq!(title, ["e"]);

    assert!(compare(reference, reference).is_empty());
    let missing_in_variant = reference.replace("{ $b }", "b");
    assert_eq!(compare(reference, &missing_in_variant).len(), 1);
    let other_attribute_variable = reference.replace("{ $e }", "{ $f }");
    assert_eq!(compare(reference, &other_attribute_variable).len(), 1);
    let without_attribute = reference.replace("    .title = { $e }\n", "");
    assert_eq!(compare(reference, &without_attribute).len(), 1);
    let extra_key = format!("{reference}extra = Extra\n");
    assert_eq!(compare(reference, &extra_key).len(), 1);
    assert_eq!(compare(reference, "hello = {").len(), 1);
}

/// French puts a no-break space before `:`, `;`, `!`, `?` and `»`, and after `«`.
fn french_typography_problems(source: &str) -> Vec<String> {
    const NO_BREAK: [char; 2] = ['\u{a0}', '\u{202f}'];
    let resource = parser::parse(source).unwrap_or_else(|(resource, _)| resource);
    let mut texts = Vec::new();
    for entry in &resource.body {
        if let Entry::Message(message) = entry {
            let mut patterns: Vec<&Pattern<&str>> = message.value.iter().collect();
            patterns.extend(message.attributes.iter().map(|a| &a.value));
            while let Some(pattern) = patterns.pop() {
                for element in &pattern.elements {
                    match element {
                        PatternElement::TextElement { value } => {
                            texts.push((message.id.name, *value));
                        }
                        PatternElement::Placeable {
                            expression: Expression::Select { variants, .. },
                        } => patterns.extend(variants.iter().map(|v| &v.value)),
                        PatternElement::Placeable { .. } => {}
                    }
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (key, text) in texts {
        let chars: Vec<char> = text.chars().collect();
        for (index, &c) in chars.iter().enumerate() {
            let before = index.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(index + 1).copied();
            let wrong = match c {
                // A colon between digits is a time of day (09:00), not punctuation.
                ':' if before.is_some_and(|b| b.is_ascii_digit())
                    && after.is_some_and(|a| a.is_ascii_digit()) =>
                {
                    false
                }
                ':' | ';' | '!' | '?' | '»' => !before.is_some_and(|b| NO_BREAK.contains(&b)),
                '«' => !after.is_some_and(|a| NO_BREAK.contains(&a)),
                _ => false,
            };
            if wrong {
                problems.push(format!(
                    "`{key}`: no no-break space around `{c}` in {text:?}"
                ));
            }
        }
    }
    problems
}

#[test]
fn french_uses_no_break_spaces_around_punctuation() {
    let problems = french_typography_problems(source(Language::French));
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        french_typography_problems("a = Raison : { $r }\nb = « c »\n").len(),
        3
    );
}
