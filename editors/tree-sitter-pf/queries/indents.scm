; One level of indentation inside braces and brackets.
[(body) (list) (call)] @indent
["}" "]" ")"] @outdent
