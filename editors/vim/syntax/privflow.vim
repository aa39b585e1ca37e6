" Vim syntax file
" Language:    privflow spec (.pflow), see docs/language.md
" Maintainer:  the privflow authors
" Keep the word lists in step with lang/parser.cpp and lang/check.cpp: tests/editors fails
" when a keyword is missing here.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" Identifiers are [A-Za-z_][A-Za-z0-9_]*: a keyword never matches inside one.
syn iskeyword @,48-57,_

" Statements.
syn keyword pflowStatement pipeline settings param data agent compute send adversary require forbid
" Other keywords of the grammar.
syn keyword pflowKeyword at to from via of any against unless special in neighbouring
syn keyword pflowKeyword field prior given partition bits fpr relative confidence distance
" Words that are also keys (`region: EU`, `delta: 1e-5`): keywords unless a colon follows.
syn match pflowStatement "\<\%(region\|category\)\>\%(\s*:\)\@!"
syn match pflowKeyword "\<\%(rows\|by\|delta\|epsilon\)\>\%(\s*:\)\@!"
syn keyword pflowConditional if then else
syn keyword pflowOperatorWord and or not
syn keyword pflowType int bool
" Values the checker accepts: trust levels, accountants, neighbouring, booleans.
syn keyword pflowConstant trusted honest curious malicious rdp pld auto add_remove replace true false poisson fixed_size shuffle sqrt exp ln ring complete star torus random_regular edges

" Measures, mechanisms and deterministic computations, when called.
syn match pflowMeasure "\<\%(dp\|posterior\|advantage\|leakage\|reidentification\|membership\|reconstruction\|error\)\>\ze\s*("
syn match pflowMechanism "\<\%(laplace\|geometric\|gaussian\|randomized_response\|exponential\|dpsgd\|declared\|discrete_gaussian\|tree_aggregation\|matrix_factorization\|sparse_vector\|report_noisy_max\|top_k\|rappor\|unary_encoding\|local_hashing\|hadamard_response\|count_mean_sketch\|gossip\|token_walk\|decentralized_sgd\)\>\ze\s*("
syn match pflowComputation "\<\%(map\|select\|count\|sum\|mean\|histogram\|aggregate\|train\|pseudonymize\)\>\ze\s*("
" Channels of send ... via.
syn match pflowChannel "\<\%(plain\|encrypted\|secure_aggregation\|shuffler\|network_shuffle\)\>"
" Settings and agent keys, data items, computation and channel parameters, before their colon
" (keys that are also keywords keep the keyword colour).
syn match pflowProperty "\<\%(delta\|accountant\|trust\|region\|holds\|rows\|category\|neighbouring\|epsilon\|scale\|sensitivity\|times\|sigma\|distributed\|keep\|noise_multiplier\|sampling\|sampling_rate\|batch_size\|steps\|epochs\|rho\|threshold\|min_clients\|tree_completion\|coefficients\|min_separation\|by\|answers\|k\|f\|p\|q\|hashes\|confidence\|rounds\|topology\|candidates\|width\|error_sd\)\>\ze\s*:"

" The name a declaration introduces.
syn match pflowDeclName "\%(\<\%(pipeline\|region\|category\|param\|data\|agent\|compute\|adversary\|field\)\s\+\)\@<=\h\w*"
syn match pflowLabel "\%(\<\%(require\|forbid\)\s\+\)\@<=\h\w*\ze\s*:"

" 12, 50_000, 0.01, 1e-5 and exact ratios such as 1/3.
syn match pflowNumber "\%([[:alnum:]_.]\)\@1<!\d\+\%(_\d\+\)*\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\%(/\d\+\%(_\d\+\)*\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\)\=\%([[:alnum:]_.]\)\@!"

syn match pflowOperator "<=\|>=\|!=\|[-+*%<>=]\|/\%(/\)\@!"

" Strings: one line, with \" and \\ escapes.
syn match pflowEscape +\\["\\]+ contained
syn match pflowBadEscape +\\[^"\\]+ contained
syn region pflowString start=+"+ skip=+\\[\\"]+ end=+"+ end=+$+ oneline contains=pflowEscape,pflowBadEscape

syn keyword pflowTodo TODO FIXME XXX NOTE contained
syn match pflowComment "#.*$" contains=pflowTodo,@Spell
syn match pflowComment "//.*$" contains=pflowTodo,@Spell

hi def link pflowStatement    Statement
hi def link pflowKeyword      Keyword
hi def link pflowConditional  Conditional
hi def link pflowOperatorWord Operator
hi def link pflowType         Type
hi def link pflowConstant     Constant
hi def link pflowMeasure      Function
hi def link pflowMechanism    Function
hi def link pflowComputation  Function
hi def link pflowChannel      Type
hi def link pflowProperty     Identifier
hi def link pflowDeclName     Identifier
hi def link pflowLabel        Label
hi def link pflowNumber       Number
hi def link pflowOperator     Operator
hi def link pflowEscape       SpecialChar
hi def link pflowBadEscape    Error
hi def link pflowString       String
hi def link pflowTodo         Todo
hi def link pflowComment      Comment

let b:current_syntax = "privflow"

let &cpo = s:cpo_save
unlet s:cpo_save
