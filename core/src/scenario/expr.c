/* expr.c — condition expressions over metrics: a tokenizer and a depth-limited recursive-descent
 * parser for the grammar in expr.h, a type check (numbers vs truth values), and evaluation. */
#include "scenario/expr.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting of parentheses and unary operators the parser follows before giving up. */
#define EXPR_MAX_NESTING 64
/* Height of the finished tree: long chains like a+b+c+... are built iteratively but evaluated
 * recursively, so their height is bounded too. */
#define EXPR_MAX_HEIGHT 256

typedef enum {
    N_NUM,
    N_METRIC,
    N_NEG,
    N_ADD,
    N_SUB,
    N_MUL,
    N_DIV,
    N_LT,
    N_LE,
    N_GT,
    N_GE,
    N_EQ,
    N_NE,
    N_AND,
    N_OR,
    N_NOT,
} node_op_t;

typedef struct node node_t;
struct node {
    node_op_t op;
    double num;
    char *metric;
    node_t *a, *b;
    size_t pos; /* 0-based column of the node's first character */
    int height;
};

struct sg17_expr {
    node_t *root;
};

typedef enum {
    T_END,
    T_NUM,
    T_NAME,
    T_AND,
    T_OR,
    T_NOT,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
    T_LPAREN,
    T_RPAREN,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_EQ,
    T_NE,
} tok_kind_t;

typedef struct {
    tok_kind_t kind;
    size_t pos, len;
    double num;
} token_t;

typedef struct {
    const char *text;
    size_t pos;  /* scanner position */
    token_t tok; /* current token */
    int nesting;
    bool failed;
    size_t err_pos;
    sg17_err_t *err;
} parser_t;

static bool is_bool_op(node_op_t op)
{
    return op >= N_LT;
}

static void node_free(node_t *n)
{
    if (!n)
        return;
    /* height is bounded by EXPR_MAX_HEIGHT */
    node_free(n->a);
    node_free(n->b);
    free(n->metric);
    free(n);
}

static void fail(parser_t *p, size_t pos, const char *fmt, const char *found)
{
    if (p->failed)
        return;
    p->failed = true;
    p->err_pos = pos;
    char what[512];
    snprintf(what, sizeof what, fmt, found);
    sg17_err(p->err, "column %zu: %s", pos + 1, what);
}

/* The current token as the user wrote it, for messages. */
static const char *tok_text(const parser_t *p, char *buf, size_t size)
{
    if (p->tok.kind == T_END)
        return "the end of the expression";
    size_t n = p->tok.len < 40 ? p->tok.len : 40;
    snprintf(buf, size, "'%.*s'", (int)n, p->text + p->tok.pos);
    return buf;
}

static bool name_start(char c)
{
    return isalpha((unsigned char)c);
}
static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Reads the next token into p->tok. */
static void next(parser_t *p)
{
    const char *s = p->text;
    size_t i = p->pos;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    token_t t = {.kind = T_END, .pos = i, .len = 0};
    char c = s[i];
    if (!c) {
        p->tok = t;
        p->pos = i;
        return;
    }
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
        size_t j = i;
        while (isdigit((unsigned char)s[j]))
            j++;
        if (s[j] == '.') {
            j++;
            while (isdigit((unsigned char)s[j]))
                j++;
        }
        if (s[j] == 'e' || s[j] == 'E') {
            size_t k = j + 1;
            if (s[k] == '+' || s[k] == '-')
                k++;
            if (isdigit((unsigned char)s[k])) {
                while (isdigit((unsigned char)s[k]))
                    k++;
                j = k;
            }
        }
        if (name_char(s[j])) {
            t.len = j - i + 1;
            p->tok = t;
            fail(p, j, "unexpected character '%s' after a number; expected an operator",
                 (char[]){s[j], 0});
            p->tok.kind = T_END;
            return;
        }
        char *num = strndup(s + i, j - i);
        t.num = num ? strtod(num, NULL) : 0;
        free(num);
        if (!isfinite(t.num)) {
            p->tok = t;
            fail(p, i, "%s is too large; expected a finite number", "the number");
            p->tok.kind = T_END;
            return;
        }
        t.kind = T_NUM;
        t.len = j - i;
    } else if (name_start(c)) {
        size_t j = i;
        while (name_char(s[j]))
            j++;
        t.len = j - i;
        t.kind = T_NAME;
        if (t.len == 3 && !strncmp(s + i, "and", 3))
            t.kind = T_AND;
        else if (t.len == 2 && !strncmp(s + i, "or", 2))
            t.kind = T_OR;
        else if (t.len == 3 && !strncmp(s + i, "not", 3))
            t.kind = T_NOT;
    } else {
        char d = s[i + 1];
        t.len = 1;
        switch (c) {
        case '+':
            t.kind = T_PLUS;
            break;
        case '-':
            t.kind = T_MINUS;
            break;
        case '*':
            t.kind = T_STAR;
            break;
        case '/':
            t.kind = T_SLASH;
            break;
        case '(':
            t.kind = T_LPAREN;
            break;
        case ')':
            t.kind = T_RPAREN;
            break;
        case '<':
            t.kind = d == '=' ? T_LE : T_LT;
            t.len = d == '=' ? 2 : 1;
            break;
        case '>':
            t.kind = d == '=' ? T_GE : T_GT;
            t.len = d == '=' ? 2 : 1;
            break;
        case '=':
        case '!':
            if (d != '=') {
                p->tok = t;
                fail(p, i, "found '%s'; expected '==' or '!='", (char[]){c, 0});
                p->tok.kind = T_END;
                return;
            }
            t.kind = c == '=' ? T_EQ : T_NE;
            t.len = 2;
            break;
        default: {
            char shown[8];
            if (isprint((unsigned char)c))
                snprintf(shown, sizeof shown, "'%c'", c);
            else
                snprintf(shown, sizeof shown, "\\x%02x", (unsigned char)c);
            p->tok = t;
            fail(p, i,
                 "unexpected character %s; expected a number, a metric name, an operator or "
                 "a parenthesis",
                 shown);
            p->tok.kind = T_END;
            return;
        }
        }
    }
    p->tok = t;
    p->pos = i + t.len;
}

static node_t *mk(parser_t *p, node_op_t op, node_t *a, node_t *b, size_t pos)
{
    if (!a || (op >= N_ADD && op != N_NOT && !b) || p->failed) {
        node_free(a);
        node_free(b);
        return NULL;
    }
    node_t *n = calloc(1, sizeof *n);
    if (!n) {
        fail(p, pos, "%s", "out of memory");
        node_free(a);
        node_free(b);
        return NULL;
    }
    n->op = op;
    n->a = a;
    n->b = b;
    n->pos = pos;
    int h = a->height;
    if (b && b->height > h)
        h = b->height;
    n->height = h + 1;
    if (n->height > EXPR_MAX_HEIGHT) {
        char what[96];
        snprintf(what, sizeof what,
                 "the expression is nested more than %d levels deep; expected "
                 "a shorter %%s",
                 EXPR_MAX_HEIGHT);
        fail(p, p->tok.pos, what, "expression");
        node_free(n);
        return NULL;
    }
    return n;
}

/* The operands' kinds must fit the operator: arithmetic and comparisons take numbers, and/or/not
 * take truth values. */
static bool want(parser_t *p, const node_t *n, bool boolean)
{
    if (!n || is_bool_op(n->op) == boolean)
        return true;
    fail(p, n->pos,
         boolean ? "found %s; expected a comparison such as 'x > 0'"
                 : "found %s; expected a number or a metric, not a truth value",
         boolean ? "a number" : "a comparison");
    return false;
}

static node_t *parse_or(parser_t *p);

static bool enter(parser_t *p)
{
    if (++p->nesting > EXPR_MAX_NESTING) {
        char what[96];
        snprintf(what, sizeof what,
                 "%%s nested more than %d levels deep; expected a simpler expression",
                 EXPR_MAX_NESTING);
        fail(p, p->tok.pos, what, "parentheses and unary operators");
        return false;
    }
    return true;
}

static node_t *parse_atom(parser_t *p)
{
    char buf[64];
    token_t t = p->tok;
    if (p->failed)
        return NULL;
    if (t.kind == T_NUM) {
        node_t *n = calloc(1, sizeof *n);
        if (!n)
            return fail(p, t.pos, "%s", "out of memory"), NULL;
        n->op = N_NUM;
        n->num = t.num;
        n->pos = t.pos;
        n->height = 1;
        next(p);
        return n;
    }
    if (t.kind == T_NAME) {
        node_t *n = calloc(1, sizeof *n);
        if (n)
            n->metric = strndup(p->text + t.pos, t.len);
        if (!n || !n->metric) {
            free(n);
            return fail(p, t.pos, "%s", "out of memory"), NULL;
        }
        n->op = N_METRIC;
        n->pos = t.pos;
        n->height = 1;
        next(p);
        return n;
    }
    if (t.kind == T_LPAREN) {
        if (!enter(p))
            return NULL;
        next(p);
        node_t *n = parse_or(p);
        p->nesting--;
        if (!n)
            return NULL;
        if (p->tok.kind != T_RPAREN) {
            fail(p, p->tok.pos, "found %s; expected ')'", tok_text(p, buf, sizeof buf));
            node_free(n);
            return NULL;
        }
        next(p);
        return n;
    }
    fail(p, t.pos, "found %s; expected a number, a metric name or '('",
         tok_text(p, buf, sizeof buf));
    return NULL;
}

static node_t *parse_unary(parser_t *p)
{
    if (p->tok.kind == T_MINUS) {
        size_t pos = p->tok.pos;
        if (!enter(p))
            return NULL;
        next(p);
        node_t *a = parse_unary(p);
        p->nesting--;
        if (!want(p, a, false))
            return node_free(a), NULL;
        return mk(p, N_NEG, a, NULL, pos);
    }
    return parse_atom(p);
}

typedef struct {
    tok_kind_t tok;
    node_op_t op;
} binop_t;

/* One left-associative precedence level: operand (op operand)*, ops from the level's table.
 * `logical` says whether operands must be conditions (and/or) or values (+ - * /). */
static node_t *parse_left_assoc(parser_t *p, node_t *(*operand)(parser_t *), const binop_t *ops,
                                size_t n_ops, bool logical)
{
    node_t *a = operand(p);
    while (a) {
        size_t k = 0;
        while (k < n_ops && p->tok.kind != ops[k].tok)
            k++;
        if (k == n_ops)
            break;
        next(p);
        node_t *b = operand(p);
        if (!want(p, a, logical) || !want(p, b, logical)) {
            node_free(a);
            node_free(b);
            return NULL;
        }
        a = mk(p, ops[k].op, a, b, a->pos);
    }
    return a;
}

static node_t *parse_term(parser_t *p)
{
    static const binop_t ops[] = {{T_STAR, N_MUL}, {T_SLASH, N_DIV}};
    return parse_left_assoc(p, parse_unary, ops, 2, false);
}

static node_t *parse_sum(parser_t *p)
{
    static const binop_t ops[] = {{T_PLUS, N_ADD}, {T_MINUS, N_SUB}};
    return parse_left_assoc(p, parse_term, ops, 2, false);
}

static node_t *parse_cmp(parser_t *p)
{
    node_t *a = parse_sum(p);
    if (!a)
        return NULL;
    node_op_t op;
    switch (p->tok.kind) {
    case T_LT:
        op = N_LT;
        break;
    case T_LE:
        op = N_LE;
        break;
    case T_GT:
        op = N_GT;
        break;
    case T_GE:
        op = N_GE;
        break;
    case T_EQ:
        op = N_EQ;
        break;
    case T_NE:
        op = N_NE;
        break;
    default:
        return a;
    }
    next(p);
    node_t *b = parse_sum(p);
    if (!want(p, a, false) || !want(p, b, false)) {
        node_free(a);
        node_free(b);
        return NULL;
    }
    return mk(p, op, a, b, a->pos);
}

static node_t *parse_not(parser_t *p)
{
    if (p->tok.kind == T_NOT) {
        size_t pos = p->tok.pos;
        if (!enter(p))
            return NULL;
        next(p);
        node_t *a = parse_not(p);
        p->nesting--;
        if (!want(p, a, true))
            return node_free(a), NULL;
        return mk(p, N_NOT, a, NULL, pos);
    }
    return parse_cmp(p);
}

static node_t *parse_and(parser_t *p)
{
    static const binop_t ops[] = {{T_AND, N_AND}};
    return parse_left_assoc(p, parse_not, ops, 1, true);
}

static node_t *parse_or(parser_t *p)
{
    static const binop_t ops[] = {{T_OR, N_OR}};
    return parse_left_assoc(p, parse_and, ops, 1, true);
}

static double value_of(const node_t *n, sg17_expr_lookup_fn lookup, void *arg);

/* Whether a node has the same value whatever the metrics read: then *value is that value and
 * *decider the part of the expression that fixes it, for the message. Follows value_of exactly:
 * x / 0 is NaN whatever x, NaN spreads through arithmetic, a comparison with a NaN side is
 * false, a false side makes `and` false and a true side makes `or` true, and an operator over
 * constants is constant. Recursion follows the tree, whose height is bounded (EXPR_MAX_HEIGHT). */
static bool constant_node(const node_t *n, double *value, const node_t **decider)
{
    if (n->op == N_NUM) {
        *value = n->num;
        *decider = n;
        return true;
    }
    if (n->op == N_METRIC)
        return false;
    double va = 0, vb = 0;
    const node_t *da = NULL, *db = NULL;
    bool ca = constant_node(n->a, &va, &da);
    bool cb = n->b && constant_node(n->b, &vb, &db);
    /* a constant side that fixes the value on its own */
    const node_t *alone = NULL;
    double fixed = 0;
    if (n->op == N_DIV && cb && vb == 0) {
        alone = db, fixed = NAN;
    } else if (n->op == N_AND || n->op == N_OR) {
        bool absorbing = n->op == N_OR; /* true absorbs `or`, false absorbs `and` */
        if (ca && (va != 0) == absorbing)
            alone = da;
        else if (cb && (vb != 0) == absorbing)
            alone = db;
        fixed = absorbing;
    } else if (n->b) { /* arithmetic and comparisons */
        if (ca && isnan(va))
            alone = da;
        else if (cb && isnan(vb))
            alone = db;
        fixed = is_bool_op(n->op) ? 0 : NAN;
    }
    if (alone) {
        *value = fixed;
        *decider = alone;
        return true;
    }
    if (!ca || (n->b && !cb))
        return false;
    *value = value_of(n, NULL, NULL); /* no metric below n: nothing to look up */
    *decider = n->b ? n : da;         /* - and not: their operand decides */
    return true;
}

sg17_expr_t *sg17_expr_parse(const char *text, size_t *err_offset, sg17_err_t *err)
{
    if (!text)
        text = "";
    parser_t p = {.text = text, .err = err};
    next(&p);
    node_t *root = p.failed ? NULL : parse_or(&p);
    if (root && !p.failed && p.tok.kind != T_END) {
        char buf[64];
        fail(&p, p.tok.pos, "found %s; expected an operator or the end of the condition",
             tok_text(&p, buf, sizeof buf));
    }
    if (root && !p.failed)
        want(&p, root, true);
    double value;
    const node_t *decider;
    if (root && !p.failed && constant_node(root, &value, &decider))
        fail(&p, decider->pos,
             "the condition is always %s, whatever the metrics read; expected a condition whose "
             "value depends on a metric",
             value != 0 ? "true" : "false");
    sg17_expr_t *self = NULL;
    if (!p.failed) {
        self = malloc(sizeof *self);
        if (!self)
            fail(&p, 0, "%s", "out of memory");
    }
    if (p.failed) {
        node_free(root);
        free(self);
        if (err_offset)
            *err_offset = p.err_pos;
        return NULL;
    }
    self->root = root;
    return self;
}

void sg17_expr_destroy(sg17_expr_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    node_free((*self_p)->root);
    free(*self_p);
    *self_p = NULL;
}

/* Numeric value of an arithmetic node; truth values evaluate as 1/0. */
/* A comparison of two values: 1 or 0; any comparison with NaN is false. */
static double compare(int op, double a, double b)
{
    if (isnan(a) || isnan(b))
        return 0;
    switch (op) {
    case N_LT:
        return a < b;
    case N_LE:
        return a <= b;
    case N_GT:
        return a > b;
    case N_GE:
        return a >= b;
    case N_EQ:
        return a == b;
    default:
        return a != b;
    }
}

static double value_of(const node_t *n, sg17_expr_lookup_fn lookup, void *arg)
{
    double a, b;
    switch (n->op) {
    case N_NUM:
        return n->num;
    case N_METRIC:
        return lookup ? lookup(arg, n->metric) : 0;
    case N_NEG:
        return -value_of(n->a, lookup, arg);
    case N_ADD:
        return value_of(n->a, lookup, arg) + value_of(n->b, lookup, arg);
    case N_SUB:
        return value_of(n->a, lookup, arg) - value_of(n->b, lookup, arg);
    case N_MUL:
        return value_of(n->a, lookup, arg) * value_of(n->b, lookup, arg);
    case N_DIV:
        a = value_of(n->a, lookup, arg);
        b = value_of(n->b, lookup, arg);
        return b == 0 ? NAN : a / b;
    default:
        break;
    }
    a = value_of(n->a, lookup, arg);
    b = n->b ? value_of(n->b, lookup, arg) : 0;
    switch (n->op) {
    case N_LT:
    case N_LE:
    case N_GT:
    case N_GE:
    case N_EQ:
    case N_NE:
        return compare(n->op, a, b);
    case N_AND:
        return a != 0 && b != 0;
    case N_OR:
        return a != 0 || b != 0;
    case N_NOT:
        return a == 0;
    default:
        return NAN;
    }
}

bool sg17_expr_eval(const sg17_expr_t *self, sg17_expr_lookup_fn lookup, void *arg, double *lhs,
                    double *rhs)
{
    if (!self || !self->root)
        return false;
    const node_t *r = self->root;
    if (r->op >= N_LT && r->op <= N_NE) {
        double a = value_of(r->a, lookup, arg), b = value_of(r->b, lookup, arg);
        if (lhs)
            *lhs = a;
        if (rhs)
            *rhs = b;
        return compare(r->op, a, b) != 0;
    }
    bool truth = value_of(r, lookup, arg) != 0;
    if (lhs)
        *lhs = truth ? 1 : 0;
    if (rhs)
        *rhs = 0;
    return truth;
}

static int each_metric(const node_t *n, int (*fn)(void *arg, const char *metric), void *arg)
{
    if (!n)
        return 0;
    if (n->op == N_METRIC)
        return fn(arg, n->metric);
    int rc = each_metric(n->a, fn, arg);
    return rc ? rc : each_metric(n->b, fn, arg);
}

int sg17_expr_each_metric(const sg17_expr_t *self, int (*fn)(void *arg, const char *metric),
                          void *arg)
{
    if (!self || !fn)
        return 0;
    return each_metric(self->root, fn, arg);
}
