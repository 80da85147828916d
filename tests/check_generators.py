#!/usr/bin/env python3
"""Recompute the answers of generated task variants, independently.

usage: check_generators.py EXAMFLOW [N] [SEED]

For every generator `EXAMFLOW tasks sample` lists, N variants (default
2000) from SEED (default 1) are printed by the binary in the bank file
format, read back by a small parser of this file, and for each variant:

  - the answer is solved again from the TEXT alone, the way a student
    reads it: the numbers are taken out of the sentence with regular
    expressions and the task is solved here by formula, brute force,
    search or simulation, never by the C program's formula;
  - the text is well-formed: no unfilled placeholders (%d, (null), a "?"
    standing for a number), no "+ −", double spaces or a space before a
    comma, and every counted noun agrees with its number by the Russian
    rule (1 шар, 2 шара, 5 шаров, 11 шаров, 21 шар), checked against a
    word list of this file;
  - the answer is pleasant: an integer or a short decimal with a comma;
  - the generator is worth months of practice: at least MIN_DISTINCT
    different texts among the N variants (when N is 1000 or more);
  - a seed makes the same variant every time (a second run of a few seeds
    prints the same bytes).

A generator the binary has and this file cannot solve fails the check, so
the list cannot rot.

not checked here: that the wording is good Russian beyond number agreement
(read `examflow tasks sample all 3`); that the solutions' arithmetic is
right step by step (their final number is the answer, which is checked).
"""
import itertools
import math
import re
import subprocess
import sys
from fractions import Fraction

MIN_DISTINCT = 200   # different texts among N variants: a student's months
# Generators with fewer possible tasks, and why that is still fine.
FEWER = {
    "m-dice": 100,  # two or three dice have ~100 events; number 4 also has m-prob
}
MAX_PLACES = 4       # decimal places of an answer: 1/16 = 0,0625 is as far as the exam goes


# --- reading the sample -------------------------------------------------------------


def parse_blocks(text):
    """Variants as dicts of id, number, text, answer, order, solution."""
    out, cur, last = [], {}, None
    for line in text.split("\n") + [""]:
        if line == "":
            if cur:
                out.append(cur)
            cur, last = {}, None
        elif line.startswith("  ") and last:
            cur[last] += "\n" + line[2:]
        elif line.startswith("#"):
            continue
        else:
            k, _, v = line.partition(": ")
            cur[k] = v
            last = k
    return out


def num(s):
    """A number as the text writes it ("−3", "0,25") as a Fraction."""
    return Fraction(s.replace("−", "-").replace(",", "."))


def ints(s):
    return [int(x.replace("−", "-")) for x in re.findall(r"−?\d+", s)]


def nums(s):
    return [num(x) for x in re.findall(r"−?\d+(?:,\d+)?", s)]


def find(pattern, s):
    m = re.search(pattern, s, re.S)
    if not m:
        raise ValueError("no match for %r" % pattern)
    return m.groups()


def isqrt_exact(v):
    v = Fraction(v)
    r = Fraction(math.isqrt(v.numerator), math.isqrt(v.denominator))
    if r * r != v:
        raise ValueError("not a square: %s" % v)
    return r


def py_expr(s):
    """A formula of the text as Python: x² → x**2, 3x → 3*x, − → -."""
    s = s.replace("−", "-").replace("²", "**2").replace("³", "**3").replace("^", "**").replace("·", "*")
    s = re.sub(r"(\d)x", r"\1*x", s)
    return s


# --- mathematics ----------------------------------------------------------------------


def m_plane(t):
    if "Найдите AB" in t or "Найдите гипотенузу" in t:
        a, b = ints(t.split("90°")[-1] if "90°" in t else t)[:2]
        return isqrt_exact(a * a + b * b)
    if "Найдите BC" in t or "другой катет" in t:
        c, a = ints(t)[:2]
        return isqrt_exact(c * c - a * a)
    if "Найдите угол A" in t:
        v, = find(r"угол B равен (\d+)°", t)
        return Fraction(180 - int(v), 2)
    if "угол при вершине" in t:
        b, = find(r"равен (\d+)°", t)
        return 180 - 2 * int(b)
    if "Вписанный угол" in t or "Центральный угол" in t:
        a, = find(r"(?:равна|равен) (\d+)°", t)
        return Fraction(int(a), 2)
    raise ValueError("unknown m-plane text")


def m_vec(t):
    x1, y1, x2, y2 = [num(v) for v in find(r"a\((−?\d+); (−?\d+)\) и b\((−?\d+); (−?\d+)\)", t)]
    if "скалярное" in t:
        return x1 * x2 + y1 * y2
    sign = 1 if "a + b" in t else -1
    return isqrt_exact((x1 + sign * x2) ** 2 + (y1 + sign * y2) ** 2)


def m_solid(t):
    if "Объём прямоугольного параллелепипеда" in t:
        v, a, b = ints(t)[:3]
        return Fraction(v, a * b)
    if "площадь его поверхности" in t:
        a, b, c = ints(t)[:3]
        return 2 * (a * b + b * c + a * c)
    r, h = ints(t)[:2]
    return Fraction(r * r * h, 3 if "конуса" in t else 1)


def m_prob(t):
    n, k = ints(t)[:2]
    if "из России" in t:
        return Fraction(k, n)
    return Fraction(n - k, n)


def m_prob2(t):
    if "монету" in t:
        n, k = ints(t)[:2]
        good = sum(1 for o in itertools.product("ОР", repeat=n) if o.count("О") == k)
        return Fraction(good, 2 ** n)
    p, q = [v for v in nums(t) if v < 1][:2]
    if "хотя бы один" in t:
        return 1 - (1 - p) * (1 - q)
    return p * q


def roots(expr, lo=-200, hi=200):
    f = eval("lambda x: " + py_expr(expr))
    return [x for x in range(lo, hi + 1) if f(Fraction(x)) == 0]


def m_eq(t):
    eq, = find(r"(?:уравнения|Решите уравнение) (.*?) = ?0?", t) if False else ("",)
    m = re.search(r"log_(\d+)\(x ([+−]) (\d+)\) = (\d+)", t)
    if m:
        b, s, c, e = m.groups()
        y = int(b) ** int(e)
        x = y - int(c) if s == "+" else y + int(c)
        return x
    m = re.search(r"√\((\d+)x ([+−]) (\d+)\) = (\d+)", t)
    if m:
        a, s, b, c = m.groups()
        b = int(b) if s == "+" else -int(b)
        return Fraction(int(c) ** 2 - b, int(a))
    m = re.search(r"(\d+)\^\(x ([+−]) (\d+)\) = (\d+)", t)
    if m:
        base, s, b, v = m.groups()
        b = int(b) if s == "+" else -int(b)
        e = 0
        while int(base) ** e < int(v):
            e += 1
        assert int(base) ** e == int(v)
        return e - b
    m = re.search(r"уравнение (x² .*?) = 0", t)
    if m:
        rs = roots(m.group(1))
        return max(rs) if "больший" in t else min(rs)
    m = re.search(r"корень уравнения (.*?) = (−?\d+)\.", t)
    lhs, rhs = m.groups()
    rs = roots("(%s) - (%s)" % (lhs, rhs))
    assert len(rs) == 1, rs
    return rs[0]


def m_expr(t):
    m = re.search(r"log_(\d+) (\d+) − log_(\d+) (\d+)", t)
    if m:
        b, a, b2, c = map(int, m.groups())
        q = Fraction(a, c)
        k = 0
        while Fraction(b) ** k < q:
            k += 1
        assert Fraction(b) ** k == q
        return k
    m = re.search(r"(\d+)\^(\d+) · (\d+)\^\((−?\d+)\) : (\d+)\^(\d+)", t)
    if m:
        a, p, a2, n, a3, k = m.groups()
        return Fraction(int(a)) ** int(p) * Fraction(int(a2)) ** int(n.replace("−", "-")) / Fraction(int(a3)) ** int(k)
    a, b = map(int, find(r"\(√(\d+) − √(\d+)\)", t))
    return round((math.sqrt(a) - math.sqrt(b)) * (math.sqrt(a) + math.sqrt(b)))


def m_formula(t):
    if "P = I²R" in t:
        p, r = map(int, find(r"составляет (\d+) Вт, а сопротивление равно (\d+) Ом", t))
        return isqrt_exact(Fraction(p, r))
    if "Фаренгейта" in t:
        f, = find(r"соответствует (−?\d+) градус", t)
        return (num(f) - 32) / Fraction(18, 10)
    m, e = map(int, find(r"массой (\d+) кг, если его кинетическая энергия равна (\d+) Дж", t))
    return isqrt_exact(Fraction(2 * e, m))


def m_motion(t):
    if "навстречу" in t:
        d, = map(int, find(r"которыми (\d+) километр", t))
        v1, v2 = map(int, find(r"первого (\d+) км/ч, скорость второго (\d+) км/ч", t))
        return Fraction(d, v1 + v2)
    if "Велосипедист" in t:
        v1, g, v2 = map(int, find(r"скоростью (\d+) км/ч\. Когда он отъехал на (\d+) километр.*?скоростью (\d+) км/ч", t))
        return Fraction(g, v2 - v1)
    s, h, c = map(int, find(r"прошла (\d+) километр\w* по течению реки за (\d+) час\w*\. Скорость течения (\d+) км/ч", t))
    return Fraction(s) / (Fraction(s, h) - 2 * c)


def m_work(t):
    if "бассейн" in t:
        a, b = map(int, find(r"за (\d+) час\w*, вторая — за (\d+) час", t))
        return 1 / (Fraction(1, a) + Fraction(1, b))
    if "Товар" in t:
        p0, up, down = map(int, find(r"стоил (\d+) рубл\w*\. .*?на (\d+)%.*?на (\d+)%", t))
        return p0 * (1 + Fraction(up, 100)) * (1 - Fraction(down, 100))
    m1, c1, m2, c2 = map(int, find(r"Смешали (\d+) литр\w* (\d+)-процентного .*? и (\d+) литр\w* (\d+)-процентного", t))
    return Fraction(m1 * c1 + m2 * c2, m1 + m2)


def m_prog(t):
    if "проплыл" in t:
        a, d, n = map(int, find(r"проплыл (\d+) метр\w*, а .*? на (\d+) метр.*?за первые (\d+) д", t))
        day, total = a, 0
        for _ in range(n):
            total += day
            day += d
        return total
    b, q, h = map(int, find(r"было (\d+) колони.*?в (\d+) раза.*?через (\d+) час", t))
    v = b
    for _ in range(h):
        v *= q
    return v


def m_extr(t):
    poly, = find(r"функции y = (.*?)(?: на отрезке|\.$)", t)
    f = eval("lambda x: " + py_expr(poly))
    if "на отрезке" in t:
        lo, hi = [num(v) for v in find(r"\[(−?\d+); (−?\d+)\]", t)]
        return min(f(Fraction(x)) for x in range(int(lo), int(hi) + 1))
    pts = range(-30, 31)
    vals = {x: f(Fraction(x)) for x in range(-31, 32)}
    if "максимума" in t:
        cand = [x for x in pts if vals[x] > vals[x - 1] and vals[x] > vals[x + 1]]
    else:
        cand = [x for x in pts if vals[x] < vals[x - 1] and vals[x] < vals[x + 1]]
    assert len(cand) == 1, cand
    return cand[0]


# --- informatics ----------------------------------------------------------------------


def logic_eval(expr, env):
    """Evaluate an exam logic formula: ¬ ∧ ∨ → ≡ and parentheses."""
    toks = re.findall(r"[xyzw]|¬|∧|∨|→|≡|\(|\)", expr)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        pos[0] += 1
        return toks[pos[0] - 1]

    def atom():
        t = take()
        if t == "¬":
            return not atom()
        if t == "(":
            v = level(0)
            assert take() == ")"
            return v
        return bool(env[t])

    ops = [("≡", lambda a, b: a == b), ("→", lambda a, b: (not a) or b), ("∨", lambda a, b: a or b), ("∧", lambda a, b: a and b)]

    def level(i):
        if i == len(ops):
            return atom()
        v = level(i + 1)
        while peek() == ops[i][0]:
            take()
            v = ops[i][1](v, level(i + 1))
        return v

    v = level(0)
    assert pos[0] == len(toks)
    return v


def i_truth(t):
    expr, = find(r"выражением (.*?)\. Ниже", t)
    rows = [tuple(map(int, r)) for r in re.findall(r"^\s+([01])\s+([01])\s+([01])\s+1$", t, re.M)]
    true_sets = {tuple(v) for v in itertools.product((0, 1), repeat=3) if logic_eval(expr, dict(zip("xyz", v)))}
    fits = []
    for perm in itertools.permutations("xyz"):
        shown = {tuple(dict(zip("xyz", v))[c] for c in perm) for v in true_sets}
        if shown == set(rows):
            fits.append("".join(perm))
    assert len(fits) == 1, fits
    return fits[0]


def i_fano(t):
    codes = re.findall(r"[А-Я] — ([01]+)", t)
    asked = t.split("для букв")[-1] if "для букв" in t else t.split("для буквы")[-1]
    k = len(re.findall(r"[А-Я]", asked))
    memo = {}

    def best(node, k):
        """Least total length of k new words under node."""
        if k == 0:
            return 0
        key = (node, k)
        if key in memo:
            return memo[key]
        if any(node.startswith(c) for c in codes) or len(node) > 8:
            r = math.inf
        elif not any(c.startswith(node) for c in codes) and k == 1 and node:
            r = len(node)
        else:
            r = min(best(node + "0", j) + best(node + "1", k - j) for j in range(k + 1))
        memo[key] = r
        return r

    return best("", k)


def i_algo(t):
    x, = map(int, find(r"больше[ей]? (\d+)", t))

    def run(n):
        b = bin(n)[2:]
        if "цифры 10" in t:
            b += "10" if n % 2 == 0 else "01"
        elif "суммы её цифр" in t:
            for _ in range(2):
                b += str(b.count("1") % 2)
        else:
            b += "1" if n % 2 else "00"
        return int(b, 2)

    if "наименьшее число R" in t:
        return min(r for r in (run(n) for n in range(1, 4 * x)) if r > x)
    return next(n for n in itertools.count(1) if run(n) > x)


def i_img(t):
    w, h = map(int, find(r"(\d+)×(\d+)", t))
    if "цвет" in t and "Кбайт)" in t:
        colours, = map(int, find(r"использоваться (\d+) цвет", t))
        bits = math.ceil(math.log2(colours))
        return Fraction(w * h * bits, 8 * 1024)
    kib, = map(int, find(r"отведено (\d+) Кбайт", t))
    return 2 ** ((kib * 1024 * 8) // (w * h))


def i_words(t):
    n, word = find(r"(\d+)-буквенные слова из букв слова ([А-Я]+)", t)
    n = int(n)
    letters = list(word)
    vowels = set("АЕЁИОУЫЭЮЯ")
    if "ровно" in t:
        x, k = find(r"буква ([А-Я]) встречается ровно (\d+)", t)
        return sum(1 for w in itertools.product(letters, repeat=n) if w.count(x) == int(k))
    if "начинаться с гласной" in t:
        return sum(1 for w in itertools.product(letters, repeat=n) if w[0] in vowels and w[-1] not in vowels)
    if "не более одного раза" in t:
        x, = find(r"начинаться с буквы ([А-Я])", t)
        return sum(1 for w in itertools.permutations(letters, n) if w[0] != x)
    x, = find(r"буква ([А-Я]) должна", t)
    return sum(1 for w in itertools.product(letters, repeat=n) if x in w)


def ip_int(s):
    return int.from_bytes(bytes(int(v) for v in s.split(".")), "big")


def i_ip(t):
    mask, = find(r"[Мм]аска сети (?:равна|—) (\d+\.\d+\.\d+\.\d+)", t)
    m = ip_int(mask)
    if "назначить узлам" in t:
        return (2 ** 32 - m) - 2
    ip, = find(r"IP-адрес (\d+\.\d+\.\d+\.\d+)", t)
    net = (ip_int(ip) & m).to_bytes(4, "big")
    return net[2] if "третий" in t else net[3]


def i_base(t):
    b1, e1, b2, e2, c, base, d = map(int, find(r"выражения (\d+)\^(\d+) \+ (\d+)\^(\d+) − (\d+) записали .*?основанием (\d+)\. Сколько цифр «(\d+)»", t))
    v = b1 ** e1 + b2 ** e2 - c
    count = 0
    while v:
        count += v % base == d
        v //= base
    return count


def i_rec(t):
    defs = re.findall(r"F\(n\) = (.*?) при n ([<>≤≥]) (\d+)", t)
    conds = {"<": lambda n, c: n < c, ">": lambda n, c: n > c, "≤": lambda n, c: n <= c, "≥": lambda n, c: n >= c}
    sys.setrecursionlimit(10000)
    memo = {}

    def F(n):
        if n in memo:
            return memo[n]
        for body, op, c in defs:
            if conds[op](n, int(c)):
                v = eval(py_expr(body).replace("n", "(%d)" % n), {"F": F})
                memo[n] = v
                return v
        raise ValueError("F(%d) undefined" % n)

    m = re.search(r"F\((\d+)\) − F\((\d+)\)", t)
    if m:
        a, b = map(int, m.groups())
        top = max(int(c) for _, _, c in defs)
        for k in range(top + 10, min(a, b) - 1, -1):  # fill the memo from the top: recursion stays shallow
            F(k)
        return F(a) - F(b)
    n, = map(int, find(r"значение функции F\((\d+)\)", t))
    for k in range(1, n + 1):
        F(k)
    return F(n)


def game_params(t):
    k, = map(int, find(r"добавить (\d+) камн", t))
    m, = map(int, find(r"в (\d+) раза", t))
    w, = map(int, find(r"не менее (\d+);", t))
    return k, m, w


def game_moves(s, k, m):
    return (s + 1, s + k, s * m)


def game_value(k, m, w):
    """value[s]: +n when the mover wins in n moves at best, −n when the
    mover loses in n moves at worst (the other side wins with its n-th)."""
    val = {}
    for s in range(w - 1, 0, -1):
        pass
    memo = {}

    def v(s):
        if s >= w:
            return 0  # the game is over: the one who moved here has won
        if s in memo:
            return memo[s]
        outs = [v(x) for x in game_moves(s, k, m)]
        if any(o == 0 for o in outs):
            r = 1
        else:
            wins = [-o for o in outs if o < 0]
            if wins:
                r = min(wins) + 1
            else:
                r = -(max(outs))
        memo[s] = r
        return r

    for s in range(w - 1, 0, -1):
        val[s] = v(s)
    return val


def i_game19(t):
    k, m, w = game_params(t)
    val = game_value(k, m, w)
    return min(s for s in range(1, w) if any(x < w and val[x] == 1 for x in game_moves(s, k, m)))


def i_game20(t):
    k, m, w = game_params(t)
    val = game_value(k, m, w)
    found = [s for s in range(1, w) if val[s] == 2][:2]
    return "%d %d" % tuple(found)


def i_game21(t):
    k, m, w = game_params(t)
    val = game_value(k, m, w)
    return min(s for s in range(1, w) if val[s] == -2)


def i_prog(t):
    k, m, a, b = map(int, find(r"Прибавить (\d+); 3\. Умножить на (\d+)\..*?исходном числе (\d+) результатом является число (\d+)", t))
    through = re.search(r"содержит число (\d+)", t)
    avoid = re.search(r"не содержит числа (\d+)", t)
    through = int(through.group(1)) if through else None
    avoid = int(avoid.group(1)) if avoid else None

    def count(x, y):
        if x == avoid:
            return 0
        if x == y:
            return 1
        if x > y:
            return 0
        return count(x + 1, y) + count(x + k, y) + count(x * m, y)

    if through is None:
        return count(a, b)
    return count(a, through) * count(through, b)


# --- physics (g = 10 м/с²) -------------------------------------------------------------


def p_kin(t):
    if "из состояния покоя" in t:
        tt, s = find(r"за (\d+) секунд\w* прош\w+ (\d+(?:,\d+)?) м", t)
        return 2 * num(s) / int(tt) ** 2
    if "вертикально вверх" in t:
        v, = find(r"скоростью (\d+) м/с", t)
        return Fraction(int(v) ** 2, 2 * 10)
    v0, a, tt = map(int, find(r"vx = (\d+) \+ (\d+)t.*?за первые (\d+) секунд", t))
    return v0 * tt + Fraction(a * tt * tt, 2)


def p_dyn(t):
    if "с ускорением" in t:
        m, a = map(int, find(r"массой (\d+) кг движется с ускорением (\d+)", t))
        return m * a
    if "трения" in t:
        m, = map(int, find(r"массой (\d+) кг", t))
        mu, = find(r"столом (\d+(?:,\d+)?)", t)
        return num(mu) * m * 10
    k, x = map(int, find(r"жёсткостью (\d+) Н/м растянута на (\d+) см", t))
    return Fraction(k * x, 100)


def p_cons(t):
    if "сцепляется" in t:
        m1, v1, m2 = map(int, find(r"массой (\d+) кг, движущаяся со скоростью (\d+) м/с, .*?массой (\d+) кг", t))
        return Fraction(m1 * v1, m1 + m2)
    if "кинетическую энергию" in t:
        m, v = find(r"массой (\d+(?:,\d+)?) кг движется со скоростью (\d+)", t)
        return num(m) * int(v) ** 2 / 2
    h, = map(int, find(r"с высоты (\d+) м", t))
    return isqrt_exact(2 * 10 * h)


def p_osc(t):
    if "Маятник совершил" in t:
        n, s = map(int, find(r"совершил (\d+) колебан\w* за (\d+) секунд", t))
        return Fraction(n, s)
    if "Волна" in t:
        v, f = map(int, find(r"скоростью (\d+) м/с при частоте (\d+) Гц", t))
        return Fraction(v, f)
    k, = map(int, find(r"в (\d+) раз", t))
    return isqrt_exact(k)


def p_gas(t):
    if "изотермически" in t:
        v1, v2, p1 = map(int, find(r"от (\d+) до (\d+) л\. Начальное давление газа (\d+) кПа", t))
        return Fraction(p1 * v1, v2)
    if "теплоты" in t:
        m, dt, c = find(r"массой (\d+(?:,\d+)?) кг, чтобы нагреть \w+ на (\d+) °C\? Удельная теплоёмкость \w+ (\d+)", t)
        return num(m) * int(dt) * int(c) / 1000
    q1, q2 = map(int, find(r"нагревателя (\d+) Дж и отдаёт холодильнику (\d+) Дж", t))
    return Fraction(q1 - q2, q1) * 100


def p_circ(t):
    if "соединены" in t:
        r1, r2 = map(int, find(r"сопротивлением (\d+) Ом и (\d+) Ом", t))
        return 1 / (Fraction(1, r1) + Fraction(1, r2)) if "параллельно" in t else r1 + r2
    if "Напряжение" in t:
        u, r = map(int, find(r"проводника (\d+) В, его сопротивление (\d+) Ом", t))
        return Fraction(u, r)
    r, i, s = map(int, find(r"сопротивлением (\d+) Ом течёт постоянный ток (\d+) А.*?за (\d+) секунд", t))
    return Fraction(i * i * r * s, 1000)


def p_opt(t):
    if "тонкой собирающей линзы" in t:
        d, f = map(int, find(r"расстоянии (\d+) см .*?расстоянием (\d+) см", t))
        img = 1 / (Fraction(1, f) - Fraction(1, d))
        return img / d if "увеличение" in t else img
    if "Оптическая сила" in t:
        dd, = map(int, find(r"линзы (\d+) дптр", t))
        return Fraction(100, dd)
    a, = map(int, find(r"равен (\d+)°", t))
    return 2 * a if "Угол падения" in t else 90 - a


def p_nuc(t):
    if "полураспада" in t:
        half, total = map(int, find(r"равен (\d+) сут\w*\. .*?через (\d+) сут", t))
        return Fraction(100) / 2 ** Fraction(total, half)
    if "нейтронов" in t:
        a, z = map(int, find(r"массовым числом (\d+)\? Зарядовое число этого элемента (\d+)", t))
        return a - z
    a, z, na, nb = map(int, find(r"\(A = (\d+), Z = (\d+)\) испытало (\d+) α-распад\w* и (\d+) β", t))
    return a - 4 * na if "массовое" in t else z - 2 * na + nb


def m_trig(t):
    k, asked, given, sign, a, c, rng = find(r"Найдите (\d+)(sin|cos) α, если (sin|cos) α = (−?)(\d+)/(\d+) и α ∈ \((.*?)\)\.", t)
    value = Fraction(int(a), int(c)) * (-1 if sign else 1)
    other = isqrt_exact(1 - value * value)
    lo = rng.split(";")[0].strip()
    quarter = {"0": 1, "π/2": 2, "π": 3, "3π/2": 4}[lo]
    signs = {1: (1, 1), 2: (1, -1), 3: (-1, -1), 4: (-1, 1)}[quarter]  # (sin, cos) by quarter
    assert (signs[1] if given == "cos" else signs[0]) == (-1 if sign else 1), "the given value's sign fits the quarter"
    return int(k) * other * (signs[0] if asked == "sin" else signs[1])


def m_dice(t):
    times = 2 if "дважды" in t else 3
    rolls = list(itertools.product(range(1, 7), repeat=times))
    if "сумма выпавших очков равна" in t:
        s, = map(int, find(r"равна (\d+)\.", t))
        good = [r for r in rolls if sum(r) == s]
    elif "сумма выпавших очков больше" in t:
        s, = map(int, find(r"больше (\d+)\.", t))
        good = [r for r in rolls if sum(r) > s]
    elif "наибольшее" in t:
        s, = map(int, find(r"равно (\d+)\.", t))
        good = [r for r in rolls if max(r) == s]
    else:
        s, = map(int, find(r"равно (\d+)\.", t))
        good = [r for r in rolls if math.prod(r) == s]
    p = Fraction(len(good), len(rolls))
    return Fraction(math.floor(p * 100 + Fraction(1, 2)), 100)  # to hundredths, half up


def i_sys(t):
    v, rec = find(r"числа (\d+) в системе .*? выглядит как (\d+)\.", t)
    fits = [b for b in range(2, 37) if max(int(c) for c in rec) < b and int(rec, b) == int(v)]
    assert len(fits) == 1, fits
    return fits[0]


def i_info(t):
    length, alpha, users = map(int, find(r"из (\d+) символ\w*\. Используется алфавит из (\d+) символ.*? (\d+) пользовател", t))
    bits = max(1, math.ceil(math.log2(alpha)))
    return users * math.ceil(length * bits / 8)


def i_div(t):
    a, b, k, m = map(int, find(r"\[(\d+); (\d+)\].*?дел\w+ на (\d+) и\s+не\s+дел\w+ на (\d+)", t))
    xs = [x for x in range(a, b + 1) if x % k == 0 and x % m != 0]
    return max(xs) if "наибольшее" in t else len(xs)


def p_press(t):
    if "на глубине" in t:
        h, rho = map(int, find(r"глубине (\d+) м .*?плотность (\d+) кг", t))
        return Fraction(rho * 10 * h, 1000)
    v, rho = map(int, find(r"объёмом (\d+) дм³ .*?плотностью (\d+) кг", t))
    return Fraction(rho * 10 * v, 1000)


def times_in(t):
    return [int(x) for x in re.findall(r"в (\d+) раз", t)]


def p_field(t):
    a, b, c = times_in(t)[:3]
    f = Fraction(a * b, c * c)
    return f if "увеличился модуль силы" in t else 1 / f


def p_mkt(t):
    a, b = times_in(t)[:2]
    f = Fraction(a, b)  # both texts: the first factor up, the second down
    return f if "увеличилось давление" in t else 1 / f


def p_magn(t):
    if "силы Ампера" in t:
        l, b, i = map(int, find(r"длиной (\d+) см .*?индукцией (\d+) мТл\. Сила тока в проводнике (\d+) А", t))
        return Fraction(b, 1000) * i * Fraction(l, 100)
    dphi, dt = map(int, find(r"изменился на (\d+) мВб за (\d+) мс", t))
    return Fraction(dphi, dt)


SOLVERS = {
    "m-plane": m_plane, "m-vec": m_vec, "m-solid": m_solid, "m-prob": m_prob, "m-prob2": m_prob2,
    "m-eq": m_eq, "m-expr": m_expr, "m-formula": m_formula, "m-motion": m_motion, "m-work": m_work,
    "m-prog": m_prog, "m-extr": m_extr,
    "i-truth": i_truth, "i-fano": i_fano, "i-algo": i_algo, "i-img": i_img, "i-words": i_words,
    "i-ip": i_ip, "i-base": i_base, "i-rec": i_rec, "i-game19": i_game19, "i-game20": i_game20,
    "i-game21": i_game21, "i-prog": i_prog,
    "p-kin": p_kin, "p-dyn": p_dyn, "p-cons": p_cons, "p-osc": p_osc, "p-gas": p_gas,
    "p-circ": p_circ, "p-opt": p_opt, "p-nuc": p_nuc,
    "m-trig": m_trig, "m-dice": m_dice, "i-sys": i_sys, "i-info": i_info, "i-div": i_div,
    "p-press": p_press, "p-field": p_field, "p-mkt": p_mkt, "p-magn": p_magn,
}

# --- well-formed text -------------------------------------------------------------------

# Counted nouns: (one, few, many) — 1 / 2-4 / 5-20 and 0.  A word may be
# listed in two slots (раз|раза|раз): any slot that fits is fine.
NOUNS = [
    ("шар", "шара", "шаров"), ("фонарик", "фонарика", "фонариков"), ("докладчик", "докладчика", "докладчиков"),
    ("билет", "билета", "билетов"), ("билете", "билетах", "билетах"), ("раз", "раза", "раз"),
    ("километр", "километра", "километров"), ("час", "часа", "часов"), ("литр", "литра", "литров"),
    ("рубль", "рубля", "рублей"), ("день", "дня", "дней"), ("колония", "колонии", "колоний"),
    ("метр", "метра", "метров"), ("градус", "градуса", "градусов"), ("секунду", "секунды", "секунд"),
    ("сутки", "суток", "суток"), ("колебание", "колебания", "колебаний"), ("цвет", "цвета", "цветов"),
    ("бит", "бита", "бит"), ("камень", "камня", "камней"), ("слагаемого", "слагаемых", "слагаемых"),
    ("цифра", "цифры", "цифр"), ("ноль", "нуля", "нулей"), ("наборе", "наборах", "наборах"),
    ("α-распад", "α-распада", "α-распадов"), ("β⁻-распад", "β⁻-распада", "β⁻-распадов"),
]


def plural_slot(n):
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def agreement_errors(text):
    errs = []
    for m in re.finditer(r"(?<![\d,.^·])(−?\d+) ([А-Яа-яёЁα-ωβ⁻-]+)", text):
        n, word = int(m.group(1).replace("−", "-")), m.group(2)
        for forms in NOUNS:
            if word in forms:
                if forms[plural_slot(n)] != word:
                    errs.append("%s %s" % (m.group(1), word))
                break
    return errs


BAD_TEXT = [
    (re.compile(r"%[a-z]|\(null\)"), "an unfilled placeholder"),
    (re.compile(r"(^|\s)\?"), "a '?' for a number"),
    (re.compile(r"\+ [−-]|[−-] [−-]|− −"), "a doubled sign"),
    (re.compile(r"[^\n ]  +[^ ]"), "a double space"),
    (re.compile(r" [,.;](\s|$)"), "a space before punctuation"),
    (re.compile(r"\d\.\d"), "a decimal point instead of a comma"),
]
ANSWER = re.compile(r"^(−|-)?\d+(,\d{1,%d})?$" % MAX_PLACES)


def answer_value(a):
    if ANSWER.match(a):
        return num(a)
    return a


def agrees(got, answer):
    want = answer_value(answer)
    if isinstance(got, str):
        return got == answer
    if isinstance(got, float):
        return isinstance(want, Fraction) and math.isclose(got, float(want), rel_tol=1e-9)
    return isinstance(want, Fraction) and Fraction(got) == want


def sample(exe, gen, n, seed):
    p = subprocess.run([exe, "tasks", "sample", gen, str(n), "--seed", str(seed)], capture_output=True,
                       text=True, timeout=600)
    if p.returncode != 0:
        raise SystemExit("%s tasks sample %s failed: %s" % (exe, gen, p.stderr))
    return p.stdout


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    p = subprocess.run([exe, "tasks", "sample"], capture_output=True, text=True, timeout=60)
    gens = [line.split()[0] for line in p.stdout.splitlines() if line.strip()]
    bad = 0
    for gen in gens:
        solver = SOLVERS.get(gen)
        if solver is None:
            print("UNSOLVED %s: add a solver to SOLVERS" % gen)
            bad += 1
            continue
        out = sample(exe, gen, n, seed)
        if sample(exe, gen, 5, seed + 7) != sample(exe, gen, 5, seed + 7):
            print("UNSTABLE %s: one seed made two different variants" % gen)
            bad += 1
        variants = parse_blocks(out)
        problems = []
        for v in variants:
            text, ans = v.get("text", ""), v.get("answer", "")
            try:
                got = solver(text)
            except Exception as e:  # a text the solver cannot read is a finding too
                problems.append("%s: cannot solve (%s: %s)" % (v.get("id"), type(e).__name__, e))
                continue
            if not agrees(got, ans):
                problems.append("%s: answer %s, recomputed %s" % (v.get("id"), ans, got))
            if isinstance(got, (int, Fraction)) and not ANSWER.match(ans):
                problems.append("%s: unpleasant answer %r" % (v.get("id"), ans))
            for part in (text, v.get("solution", "")):
                # table rows and IP addresses are meant to look like that
                prose = "\n".join(line for line in part.split("\n") if "Перем." not in line and not re.match(r"^[\s01]*$", line))
                prose = re.sub(r"\d+\.\d+\.\d+\.\d+", "IP", prose)
                for rx, what in BAD_TEXT:
                    if rx.search(prose):
                        problems.append("%s: %s in %r" % (v.get("id"), what, rx.search(prose).group(0)))
                for e in agreement_errors(part):
                    problems.append("%s: agreement '%s'" % (v.get("id"), e))
            if not v.get("solution"):
                problems.append("%s: no solution" % v.get("id"))
        distinct = len({v.get("text") for v in variants})
        if len(variants) != n:
            problems.append("%d variants printed, %d asked" % (len(variants), n))
        if n >= 1000 and distinct < FEWER.get(gen, MIN_DISTINCT):  # variety shows only in a big sample
            problems.append("only %d different texts in %d variants" % (distinct, n))
        status = "ok      " if not problems else "PROBLEMS"
        print("%s %-9s %5d variants, %5d different texts, answers recomputed" % (status, gen, len(variants), distinct))
        for msg in problems[:10]:
            print("    " + msg)
        if len(problems) > 10:
            print("    ... %d more" % (len(problems) - 10))
        bad += bool(problems)
    print("%d generators, %d with problems" % (len(gens), bad))
    return 1 if bad or not gens else 0


if __name__ == "__main__":
    sys.exit(main())
