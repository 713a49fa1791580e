; Highlighting for pf. Keywords are the first word of a block; keys are attribute names.
(comment) @comment
(block keyword: (identifier) @keyword)
(block label: (path) @type)
(block label: (string) @string.special)
(parent (path) @type)
(attribute key: (identifier) @property)
(typed_block type: (path) @type)
(call function: (identifier) @function)
(string) @string
(escape_sequence) @string.escape
(interpolation "${" @punctuation.special "}" @punctuation.special)
(interpolation (path) @variable)
(boolean) @constant.builtin
[(number) (duration) (size) (percent)] @number
(cidr) @string.special
(path) @variable
["=" "->" ":"] @operator
["{" "}" "[" "]" "(" ")"] @punctuation.bracket
"," @punctuation.delimiter
