/**
 * Tree-sitter grammar for pf (`.pf` files), following grammar/pf.pest (the specification):
 * structure only (attributes `key = value`, blocks `keyword label* (: parent)? { body }`,
 * values). Entries are separated by newlines or commas; `#` starts a comment.
 */
const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/;

module.exports = grammar({
  name: 'pf',
  extras: $ => [/[ \t\uFEFF]/, $.comment],
  word: $ => $.identifier,

  rules: {
    source_file: $ => repeat(choice($._entry, $._sep)),

    _sep: _ => choice(/\r\n|\n|\r/, ','),
    comment: _ => token(seq('#', /[^\r\n]*/)),

    _entry: $ => choice($.attribute, $.block),
    // A key may be quoted (`tags { "cost center" = "ops" }`), as in grammar/pf.pest.
    attribute: $ => seq(field('key', choice($.identifier, $.string)), '=', field('value', $._value)),
    block: $ => prec.right(seq(
      field('keyword', $.identifier),
      repeat(field('label', choice($.string, $.path))),
      optional($.parent),
      optional(field('body', $.body)),
    )),
    parent: $ => seq(':', $.path),
    body: $ => seq('{', repeat(choice($._entry, $._sep)), '}'),

    _value: $ => choice($.typed_block, $.call, $.list, $.body, $.string, $.duration, $.size,
      $.percent, $.cidr, $.number, $.boolean, $.path),
    typed_block: $ => seq(field('type', $.path), $.body),
    call: $ => seq(field('function', $.identifier), '(',
      optional(seq($._value, repeat(seq(',', $._value)))), ')'),
    list: $ => seq('[', repeat($._sep),
      optional(seq($._list_item, repeat(seq(repeat1($._sep), $._list_item)), repeat($._sep))), ']'),
    _list_item: $ => choice($._value, $.pair),
    pair: $ => seq($._value, '->', $._value),

    string: $ => seq('"', repeat(choice($.interpolation, $.escape_sequence, $.string_content)),
      token.immediate('"')),
    string_content: _ => token.immediate(prec(1, /([^"\\\r\n$]|\$[^{"\\\r\n])+|\$/)),
    escape_sequence: _ => token.immediate(seq('\\', /[^\r\n]/)),
    interpolation: $ => seq(token.immediate('${'), $.path, '}'),

    duration: _ => /\d+[smhd]/,
    size: _ => /\d+(KB|MB|GB|TB)/,
    percent: _ => /\d+%/,
    cidr: _ => /\d+\.\d+\.\d+\.\d+\/\d+/,
    number: _ => /-?\d+/,
    boolean: _ => choice('true', 'false'),
    path: $ => seq($.identifier, repeat(seq(token.immediate('.'), alias(token.immediate(IDENT), $.identifier)))),
    identifier: _ => IDENT,
  },
});
