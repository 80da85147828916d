#!/usr/bin/env python3
"""Recompute every computable answer of the embedded task bank, independently.

usage: check_bank_answers.py BANK_FILE

BANK_FILE is the bank in the bank file format (`examflow tasks dump`, or the
dump tests/unit_bank.c writes with EXAMFLOW_BANK_DUMP=PATH).  The file is
read by a small parser of its own (not the C one), each task listed in
COMPUTE below is solved here from scratch -- by formula, brute force or
simulation, never by copying the bank's answer -- and the result is compared
with the task's first accepted answer as a number (or a string for codes).

Every task of the subjects in COMPUTED_SUBJECTS must be recomputed: a new
task there without a recomputation fails the check, so the list cannot rot.
Russian-language tasks are not computable; tests/unit_bank.c checks their
shape, and their answers were checked by hand against the rules in their
solutions.

not checked here: whether the task texts say what the functions below
compute (a reviewer reads both side by side: the ids match).
"""
import itertools
import math
import re
import sys
from fractions import Fraction

# --- math: formulas --------------------------------------------------------------


def quad_roots(a, b, c):
    d = b * b - 4 * a * c
    return sorted(((-b - math.sqrt(d)) / (2 * a), (-b + math.sqrt(d)) / (2 * a)))


def grid_min(f, lo, hi, steps=100000):
    return min(f(lo + (hi - lo) * i / steps) for i in range(steps + 1))


def local_max_points(f, lo, hi, steps=200000):
    xs = [lo + (hi - lo) * i / steps for i in range(steps + 1)]
    ys = [f(x) for x in xs]
    return [xs[i] for i in range(1, steps) if ys[i] > ys[i - 1] and ys[i] > ys[i + 1]]


def time_at_least(h, level, t_end, steps=200000):
    dt = t_end / steps
    return sum(dt for i in range(steps) if h((i + 0.5) * dt) >= level)


def derivative(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def solve_int(pred, lo=-1000, hi=1000):
    sols = [x for x in range(lo, hi + 1) if pred(x)]
    assert len(sols) == 1, sols
    return sols[0]


def grid_max(f, lo, hi, steps=100000):
    return -grid_min(lambda x: -f(x), lo, hi, steps)


def local_min_points(f, lo, hi, steps=200000):
    return local_max_points(lambda x: -f(x), lo, hi, steps)


def solve_real(f, lo, hi, steps=200000):
    """Roots of f on [lo, hi] by sign changes and bisection."""
    out = []
    xs = [lo + (hi - lo) * i / steps for i in range(steps + 1)]
    for a, b in zip(xs, xs[1:]):
        fa, fb = f(a), f(b)
        if fa == 0:
            out.append(a)
        elif fa * fb < 0:
            for _ in range(60):
                m = (a + b) / 2
                if f(a) * f(m) <= 0:
                    b = m
                else:
                    a = m
            out.append((a + b) / 2)
    return out


def one_root(f, lo, hi):
    r = solve_real(f, lo, hi)
    assert len(r) == 1, r
    return r[0]


def prob(outcomes, pred):
    outcomes = list(outcomes)
    return Fraction(sum(1 for o in outcomes if pred(o)), len(outcomes))


def two_coin_exactly_one():
    outcomes = list(itertools.product("ОР", repeat=2))
    return Fraction(sum(1 for o in outcomes if o.count("О") == 1), len(outcomes))


# --- informatics: brute force and simulation -----------------------------------------


def count_truth(n, f):
    return sum(1 for v in itertools.product((0, 1), repeat=n) if f(*v))


def imp(a, b):
    return (not a) or b


def fano_ok(codes):
    return all(not (a != b and b.startswith(a)) for a in codes for b in codes)


def min_fano_len():
    for n in range(1, 6):
        for bits in itertools.product("01", repeat=n):
            if fano_ok(["0", "10", "".join(bits)]) and "".join(bits) not in ("0", "10"):
                return n


def algo_parity(n):
    b = bin(n)[2:]
    b += "0" if b.count("1") % 2 == 0 else "1"
    return int(b, 2)


def algo_suffix(n):
    b = bin(n)[2:]
    b += "1" if n % 2 else "00"
    return int(b, 2)


def image_kib(w, h, colours):
    bits = math.ceil(math.log2(colours))
    return Fraction(w * h * bits, 8 * 1024)


def max_colours(w, h, kib):
    bits = (kib * 1024 * 8) // (w * h)
    return 2 ** bits


def count_words(letters, length, pred):
    return sum(1 for w in itertools.product(letters, repeat=length) if pred(w))


def bytes_for(n_records, length, alphabet):
    bits = max(1, math.ceil(math.log2(alphabet)))
    return n_records * math.ceil(length * bits / 8)


def editor():
    s = "1" * 40
    while "111" in s or "22" in s:
        if "111" in s:
            s = s.replace("111", "2", 1)
        else:
            s = s.replace("22", "1", 1)
    return s


def hosts(mask):
    m = int.from_bytes(bytes(int(x) for x in mask.split(".")), "big")
    return 2 ** 32 - m


def net_last_byte(ip, mask):
    return int(ip.split(".")[3]) & int(mask.split(".")[3])


def min_a():
    for a in range(1, 1000):
        if all((x + 2 * y < a) or (y > x) or (x > 30) for x in range(0, 200) for y in range(0, 200)):
            return a


def fib(n):
    return 1 if n <= 2 else fib(n - 1) + fib(n - 2)


def g(n):
    return 2 if n == 1 else g(n - 1) + 3 * n


def programs(a, b, ops, through=None):
    if through is not None:
        return programs(a, through, ops) * programs(through, b, ops)
    if a == b:
        return 1
    if a > b:
        return 0
    return sum(programs(op(a), b, ops) for op in ops)


def fano_min_len(fixed):
    for n in range(1, 8):
        if any(fano_ok(fixed + ["".join(b)]) and "".join(b) not in fixed for b in itertools.product("01", repeat=n)):
            return n


def fano_decode(codes, bits):
    out, cur = "", ""
    inv = {v: k for k, v in codes.items()}
    for c in bits:
        cur += c
        if cur in inv:
            out, cur = out + inv[cur], ""
    assert cur == ""
    return out


def replace_loop(s, rules):
    """rules: [(find, replace)], tried in order each step (ЕСЛИ ... ИНАЧЕ ...)."""
    while True:
        for a, b in rules:
            if a in s:
                s = s.replace(a, b, 1)
                break
        else:
            return s


def mask_re(pattern):
    return re.compile("^" + pattern.replace("?", r"\d").replace("*", r"\d*") + "$")


def inner_divisors(n):
    out = set()
    for d in range(2, math.isqrt(n) + 1):
        if n % d == 0:
            out |= {d, n // d}
    return sorted(out)


def printed_sum(n):
    out = []

    def f(k):
        if k > 0:
            out.append(k)
            f(k - 3)
            f(k // 2)
    f(n)
    return sum(out)


def programs_avoiding(a, b, ops, avoid):
    if a == avoid or a > b:
        return 0
    return 1 if a == b else sum(programs_avoiding(op(a), b, ops, avoid) for op in ops)


# --- informatics: tasks solved from their own text ----------------------------------
# These read the data (graph, table, program, game rules) from the task's text
# in the dump, so a text edited without its answer fails here.


def from_text(fn):
    fn.from_text = True
    return fn


@from_text
def truth_columns(text):
    """№2: which column is x, y, z, from the rows 'строка k: a, b, c; F = f'."""
    expr = re.search(r"выражением (.*?)\. ", text).group(1)
    rows = [(tuple(int(v) for v in m.group(1).split(", ")), int(m.group(2)))
            for m in re.finditer(r"строка \d+: ([01], [01], [01]); F = ([01])", text)]
    py = expr.replace("→", "<=").replace("∧", " and ").replace("∨", " or ").replace("¬", " not ")
    fits = []
    for perm in itertools.permutations("xyz"):
        if all(int(bool(eval(py, {}, dict(zip(perm, r))))) == f for r, f in rows):
            fits.append("".join(perm))
    assert len(fits) == 1, fits
    return fits[0]


def fano_min_total(fixed, n_more, max_len=6):
    words = ["".join(b) for n in range(1, max_len + 1) for b in itertools.product("01", repeat=n)]
    free = [w for w in words if fano_ok(fixed + [w]) and w not in fixed]
    best = None
    for combo in itertools.combinations(free, n_more):
        if fano_ok(fixed + list(combo)):
            total = sum(len(w) for w in combo)
            best = total if best is None else min(best, total)
    return best


def base_digits(n, b):
    out = []
    while n:
        out.append(n % b)
        n //= b
    return out[::-1]


def min_x_divisible():
    for x in range(15):
        v = int("2%X3" % x, 15) + int("1%X4" % x, 15)
        if v % 13 == 0:
            return v // 13


def first_m_ending(start, last_digit):
    n = start + 1
    while True:
        d = next((k for k in range(2, math.isqrt(n) + 1) if n % k == 0), None)
        m = 0 if d is None else d + n // d
        if m % 10 == last_digit:
            return "%d %d" % (n, m)
        n += 1


@from_text
def road_length(text):
    """№1: the graph as 'А–Б, ...', the table as 'Пi–Пj: w км'; every numbering
    that maps the graph onto the table must give the same length."""
    graph = re.search(r"пункты (.*?)\. В таблице", text).group(1)
    edges = [tuple(e.split("–")) for e in graph.split(", ")]
    table = {frozenset((int(a), int(b))): int(w) for a, b, w in re.findall(r"П(\d+)–П(\d+): (\d+) км", text)}
    p, q = re.search(r"из пункта (\S) в пункт (\S)\.", text).groups()
    letters = sorted(set(v for e in edges for v in e))
    nums = sorted(set(v for k in table for v in k))
    assert len(letters) == len(nums) and len(edges) == len(table)
    found = set()
    for perm in itertools.permutations(nums):
        m = dict(zip(letters, perm))
        if all(frozenset((m[a], m[b])) in table for a, b in edges):
            found.add(table[frozenset((m[p], m[q]))])
    assert len(found) == 1, found
    return found.pop()


def turtle_paths(program):
    toks = re.findall(r"\[|\]|Повтори \d+|Вперёд \d+|Назад \d+|Направо \d+|Налево \d+|Поднять хвост|Опустить хвост", program)

    pos = 0

    def block():
        nonlocal pos
        seq = []
        while pos < len(toks) and toks[pos] != "]":
            t = toks[pos]
            pos += 1
            if t.startswith("Повтори"):
                k = int(t.split()[1])
                assert toks[pos] == "["
                pos += 1
                body = block()
                assert toks[pos] == "]"
                pos += 1
                seq += body * k
            else:
                seq.append(t)
        return seq
    x, y, heading, down = 0.0, 0.0, 90.0, True
    paths = [[(0.0, 0.0)]]
    for t in block():
        if t == "Поднять хвост":
            down = False
        elif t == "Опустить хвост":
            down = True
            paths.append([(x, y)])
        else:
            word, n = t.split()
            n = int(n)
            if word in ("Направо", "Налево"):
                heading += -n if word == "Направо" else n
            else:
                d = n if word == "Вперёд" else -n
                x += d * math.cos(math.radians(heading))
                y += d * math.sin(math.radians(heading))
                if down:
                    paths[-1].append((x, y))
    loops = []
    for pth in paths:  # a loop drawn several times counts once: cut at its first closing
        for k in range(1, len(pth)):
            if math.dist(pth[k], pth[0]) < 1e-6:
                pth = pth[:k]
                break
        if len(pth) > 2:
            loops.append(pth)
    return loops


def point_in(pt, poly):
    """'edge', 'in' or 'out'."""
    px, py = pt
    n = len(poly)
    inside = False
    for i in range(n):
        (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % n]
        cross = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)
        if abs(cross) < 1e-7 and min(x1, x2) - 1e-7 <= px <= max(x1, x2) + 1e-7 and min(y1, y2) - 1e-7 <= py <= max(y1, y2) + 1e-7:
            return "edge"
        if (y1 > py) != (y2 > py) and x1 + (py - y1) * (x2 - x1) / (y2 - y1) > px:
            inside = not inside
    return "in" if inside else "out"


@from_text
def turtle_points(text):
    """№6: lattice points inside the figure(s) the program draws."""
    program = next(l for l in text.split("\n") if l.startswith(("Повтори", "Вперёд")))
    loops = turtle_paths(program)
    both = "пересечения" in text
    use = loops if both else loops[:1]
    ok = ("in", "edge") if "учитывать следует" in text else ("in",)
    xs = [p[0] for l in use for p in l]
    ys = [p[1] for l in use for p in l]
    return sum(1 for X in range(math.floor(min(xs)), math.ceil(max(xs)) + 1)
               for Y in range(math.floor(min(ys)), math.ceil(max(ys)) + 1)
               if all(point_in((X, Y), l) in ok for l in use))


NUMBER_WORDS = {"один": 1, "два": 2, "три": 3, "четыре": 4}


def game_rules(text):
    """moves(position), finished(position), start(S) and the range of S, from the rules' text."""
    total = int(re.search(r"не менее (\d+)", text).group(1))
    smax = int(re.search(r"1 ≤ S ≤ (\d+)", text).group(1))
    mul = NUMBER_WORDS[re.search(r"в (\S+) раза", text).group(1)]
    if "две кучи" in text:
        add = NUMBER_WORDS[re.search(r"добавить в одну из куч (\S+) кам", text).group(1)]
        a = int(re.search(r"в первой куче было (\d+)", text).group(1))
        return (lambda p: [(p[0] + add, p[1]), (p[0], p[1] + add), (p[0] * mul, p[1]), (p[0], p[1] * mul)],
                lambda p: p[0] + p[1] >= total, lambda s: (a, s), range(1, smax + 1))
    adds = [NUMBER_WORDS[w] for w in re.findall(r"добавить (?:в кучу )?(\S+) кам", text)]
    assert len(adds) == 2, adds
    return (lambda p: [p + adds[0], p + adds[1], p * mul], lambda p: p >= total, lambda s: s, range(1, smax + 1))


def game_kinds(moves, finished):
    memo = {}

    def kind(p):
        """'W1', 'W2': the player to move wins by his 1st/2nd move; 'L1', 'L2':
        the opponent wins by his 1st move / by his 1st or 2nd (not always the 1st)."""
        if p not in memo:
            nxt = moves(p)
            if any(finished(q) for q in nxt):
                r = "W1"
            else:
                ks = [kind(q) for q in nxt]
                if all(k == "W1" for k in ks):
                    r = "L1"
                elif "L1" in ks:
                    r = "W2"
                elif all(k in ("W1", "W2") for k in ks):
                    r = "L2"
                else:
                    r = None
            memo[p] = r
        return memo[p]
    return kind


@from_text
def game19(text):
    moves, finished, start, srange = game_rules(text)
    kind = game_kinds(moves, finished)
    return min(s for s in srange if any(not finished(q) and kind(q) == "W1" for q in moves(start(s))))


@from_text
def game20(text):
    moves, finished, start, srange = game_rules(text)
    kind = game_kinds(moves, finished)
    return "".join(str(s) for s in [s for s in srange if kind(start(s)) == "W2"][:2])


@from_text
def game21(text):
    moves, finished, start, srange = game_rules(text)
    kind = game_kinds(moves, finished)
    return min(s for s in srange if kind(start(s)) == "L2")


# --- physics: formulas with g = 10 m/s^2 ---------------------------------------------

G = 10


# --- physics: statements and changes, from models ---------------------------------
# "Choose the true statements": each statement is computed from a model of the
# situation; the answer is the numbers of those that hold.  "How does it
# change": the quantity is computed before and after (1 grows, 2 falls, 3 same).
# Matching: each formula is evaluated on sample values and compared with the
# quantity found by a simulation or from the definitions.


def true_ones(*flags):
    return "".join(str(k) for k, f in enumerate(flags, 1) if f)


def change(before, after):
    if before == after or math.isclose(before, after, rel_tol=1e-9):
        return "3"
    return "1" if after > before else "2"


def changes(*pairs):
    return "".join(change(b, a) for b, a in pairs)


def close(a, b):
    return a == b or math.isclose(a, b, rel_tol=1e-3)


def matching(quantities, formulas):
    """quantities: values found independently; formulas: the task's list, evaluated
    on the same sample values.  Each quantity must match exactly one formula."""
    out = ""
    for q in quantities:
        hits = [k for k, f in enumerate(formulas, 1) if close(f, q)]
        assert len(hits) == 1, (q, hits)
        out += str(hits[0])
    return out


def path_and_disp(x, t0, t1, steps=30000):
    xs = [x(t0 + (t1 - t0) * i / steps) for i in range(steps + 1)]
    return sum(abs(b - a) for a, b in zip(xs, xs[1:]))


def phys_05_01():
    x = lambda t: 4 + 2 * t - t * t
    v = lambda t: derivative(x, t)
    a = derivative(v, 1.0, 1e-4)
    return true_ones(close(v(0), 2), close(abs(a), 1), abs(v(1)) < 1e-6, close(x(2), x(0)), close(path_and_disp(x, 0, 3), 3))


def phys_05_02():
    ts, vs = [0, 2, 4, 6, 8, 10], [0, 4, 8, 8, 8, 4]
    v = lambda t: next(vs[i] + (vs[i + 1] - vs[i]) * (t - ts[i]) / (ts[i + 1] - ts[i]) for i in range(5) if ts[i] <= t <= ts[i + 1])
    dist = lambda t0, t1, n=20000: sum(v(t0 + (t1 - t0) * (i + 0.5) / n) for i in range(n)) * (t1 - t0) / n
    return true_ones(close(abs(v(4) - v(0)) / 4, 2), dist(4, 8) == 0, close(dist(0, 4), 32), close(abs(v(10) - v(8)) / 2, 2), close(dist(4, 8), 32))


def phys_05_03():
    dt, t, y, v, top_t, top_h, v3, back = 1e-4, 0.0, 0.0, 20.0, None, 0.0, None, None
    while t < 5:  # Euler-Cromer steps of the throw
        v -= G * dt
        y += v * dt
        t += dt
        if top_t is None and v <= 0:
            top_t, top_h = t, y
        if v3 is None and t >= 3:
            v3 = v
        if back is None and y <= 0:
            back = t
    accel_at_top = -G
    return true_ones(abs(top_t - 2) < 1e-2, abs(top_h - 40) < 0.1, abs(v3 + 10) < 1e-2, accel_at_top == 0, abs(back - 4) < 1e-2)


def spring(m, k, amp):
    w = math.sqrt(k / m)
    return {"T": 2 * math.pi / w, "vmax": amp * w, "E": k * amp ** 2 / 2, "Fmax": k * amp}


def phys_05_04():
    s, s4 = spring(0.4, 40, 0.05), spring(1.6, 40, 0.05)
    return true_ones(abs(s["T"] - 0.63) < 0.005, close(s["vmax"], 0.5), close(s["E"], 0.1), close(s4["T"] / s["T"], 2), close(s["Fmax"], 20))


def phys_05_05():
    m1, v1, m2 = 2, 3, 1
    p = m1 * v1
    u = Fraction(p, m1 + m2)
    e0, e1 = Fraction(m1 * v1 ** 2, 2), (m1 + m2) * u ** 2 / 2
    return true_ones(u == 2, p == 6, e0 == e1, e0 - e1 == 3, m2 * u == 4)


def incline(alpha_deg, m=1):
    a = math.radians(alpha_deg)
    return G * math.sin(a), m * G * math.cos(a)


def orbit(r, gm=4e14):
    v = math.sqrt(gm / r)
    return v, 2 * math.pi * r / v


def throw_up(v0):
    t, y, v, h, dt = 0.0, 0.0, v0, 0.0, 1e-5
    while True:
        v -= G * dt
        y += v * dt
        t += dt
        h = max(h, y)
        if y <= 0:
            return h, t


def puck(v0, mu):
    t, x, v, dt = 0.0, 0.0, v0, 1e-5
    while v > 0:
        v -= mu * G * dt
        x += max(v, 0) * dt
        t += dt
    return x, t


R_GAS = 8.31


def gas(nu, p=None, v=None, t=None):
    if p is None:
        p = nu * R_GAS * t / v
    if v is None:
        v = nu * R_GAS * t / p
    if t is None:
        t = p * v / (nu * R_GAS)
    return {"p": p, "V": v, "T": t, "U": 1.5 * nu * R_GAS * t, "n": nu / v, "E": 1.5 * 1.38e-23 * t}


def phys_09_01():
    s1, s2, s3 = gas(1, p=1e5, v=0.01), gas(1, p=1e5, v=0.02), gas(1, p=5e4, v=0.02)
    a12 = s1["p"] * (s2["V"] - s1["V"])
    q23 = s3["U"] - s2["U"]  # no work at V = const
    return true_ones(close(a12, 1000), close(s3["T"], s1["T"]), q23 > 0, close(s2["U"] - s1["U"], 1500), close(a12 + s2["U"] - s1["U"], 2000))


def phys_09_02():
    a, b = gas(1, v=0.01, t=300), gas(1, v=0.01, t=450)
    work = 0.0
    return true_ones(close(b["p"] / a["p"], 1.5), close(b["E"] / a["E"], 1.5), work > 0, b["n"] < a["n"], close(b["U"] - a["U"] + work, b["U"] - a["U"]))


def vapour(p, p_sat, squeeze):
    """Vapour pressure and the vapour left (share of the mass) after the volume is divided by squeeze at T = const."""
    p_new = p * squeeze
    if p_new <= p_sat:
        return p_new, 1.0
    return p_sat, p_sat / p_new


def phys_09_03():
    p, ps = 1.2, 2.4
    return true_ones(close(p / ps, 0.5), close(vapour(p, ps, 2)[0], ps), close(vapour(p, ps, 3)[0], 3.6),
                     close(vapour(p, ps, 0.5)[0] / ps, 0.25), vapour(p, ps, 3)[1] == 1.0)


def carnot(t1, t2, q1):
    eta = 1 - t2 / t1
    return eta, eta * q1, q1 - eta * q1


def phys_09_04():
    eta, a, q2 = carnot(500, 300, 2000)
    return true_ones(close(eta, 0.4), close(a, 1200), close(q2, 1200), carnot(600, 300, 2000)[0] > eta, carnot(500, 300, 4000)[0] == 1)


def phys_09_05():
    m, lam, c = 0.5, 330e3, 4200
    melt, heat = lam * m, c * m * 20
    t_during_melting = [0.0, 0.0]  # the melting point holds while ice is left
    return true_ones(close(melt, 165e3), t_during_melting[1] > t_during_melting[0], close(heat, 42e3), melt == 0, close(melt + heat, 207e3))


def phys_10_04():
    """Which statement holds for isochoric heating and isothermal expansion (samples of ideal gas)."""
    def facts(a, b, work):
        du = b["U"] - a["U"]
        q = du + work
        return [abs(du) < 1e-9, abs(work) < 1e-9, abs(q) < 1e-9, close(a["p"], b["p"])]
    iso_v = facts(gas(1, v=0.01, t=300), gas(1, v=0.01, t=400), 0.0)
    a, b = gas(1, v=0.01, t=300), gas(1, v=0.02, t=300)
    iso_t = facts(a, b, R_GAS * 300 * math.log(2))
    out = ""
    for f in (iso_v, iso_t):
        assert f.count(True) == 1, f
        out += str(f.index(True) + 1)
    return out


def capacitor(d, s=0.01, eps=1.0):
    return eps * 8.85e-12 * s / d


def cyclotron(m, q, b, v):
    """Radius and period from a step-by-step integration of m dv/dt = q v × B (B along z)."""
    x, y, vx, vy = 0.0, 0.0, v, 0.0
    w = q * b / m
    dt = (2 * math.pi / w) / 200000
    t, far, closed = 0.0, 0.0, None
    while closed is None:
        # exact rotation of the velocity for one step keeps |v| (the force does no work)
        c, s = math.cos(-w * dt), math.sin(-w * dt)
        vx, vy = vx * c - vy * s, vx * s + vy * c
        x, y, t = x + vx * dt, y + vy * dt, t + dt
        far = max(far, math.hypot(x, y))
        if t > 0.5 * 2 * math.pi / w and math.hypot(x, y) < 1e-4 * far:
            closed = t
    return far / 2, closed, math.hypot(vx, vy) / v


def phys_15_04():
    m, q, b, v = 2.0, 3.0, 0.5, 4.0
    r, period, _ = cyclotron(m, q, b, v)
    return matching([r, period], [m * v / (q * b), 2 * math.pi * m / (q * b), q * b / (m * v), 2 * math.pi * m * v / (q * b)])


def circuit(emf, r_int, r_load):
    i = emf / (r_load + r_int)
    return i, i * r_load


H, C_LIGHT = 6.63e-34, 3e8


def photon(nu):
    lam = C_LIGHT / nu
    return H * C_LIGHT / lam, H / lam


def nucleus_after(z, a, decay):
    return {"alpha": (z - 2, a - 4), "beta": (z + 1, a)}[decay]


def phys_14_01():
    r1, r2, u = 2, 4, 12
    i = Fraction(u, r1 + r2)
    return true_ones(i == 2, i * r1 == 8, i * i * r2 == 16, Fraction(r1 * r2, r1 + r2) == Fraction(4, 3), i * i * r1 * 10 == 40)


def phys_14_02():
    c, u = 2e-6, 100
    q = c * u
    c2 = capacitor(0.002) / capacitor(0.001) * c
    c_eps = capacitor(0.001, eps=2) / capacitor(0.001) * c
    return true_ones(close(q, 200e-6), close(c * u * u / 2, 0.01), close(c2, 2 * c), close(q / c2, 200), c_eps * u < q)


def phys_14_03():
    k, q1, q2, r = 9e9, 2e-9, -2e-9, 0.3
    force = k * q1 * q2 / r ** 2  # negative: attraction
    e_mid = k * q1 / (r / 2) ** 2 - k * q2 / (r / 2) ** 2  # along the line from q1 to q2
    phi_mid = k * q1 / (r / 2) + k * q2 / (r / 2)
    return true_ones(force < 0, close(abs(force), 0.4e-6), abs(e_mid) < 1e-9, close((k * q1 * q2 / (r / 3) ** 2) / force, 3), abs(phi_mid) < 1e-9)


def phys_14_04():
    m, q, b = 9.1e-31, 1.6e-19, 1e-3
    r1, t1, speed1 = cyclotron(m, q, b, 1e6)  # speed1: |v| after a turn, relative
    r2, t2, _ = cyclotron(m, q, b, 2e6)
    # closed orbit found (a circle: it comes back to its start); kinetic energy kept = no work
    return true_ones(close(speed1, 1), speed1 > 1 + 1e-6, t1 > 0, close(r2 / r1, 2), t2 > t1 * (1 + 1e-3))


def phys_14_05():
    f, d = 0.10, 0.30
    img = 1 / (1 / f - 1 / d)
    img5 = 1 / (1 / f - 1 / 0.05)
    return true_ones(img > 0, close(img, 0.15), img / d > 1, close(1 / f, 10), img5 > 0)


def phys_18_01():
    t_pend = lambda l, m: 2 * math.pi * math.sqrt(l / G)  # the mass does not enter the equation of motion
    return true_ones(2 * G == 20, gas(1, p=1e5, t=400)["V"] < gas(1, p=1e5, t=300)["V"],
                     close((1.7e-8 * 2 / 1e-6) / (1.7e-8 * 1 / 1e-6), 2), close(photon(2e15)[0] / photon(1e15)[0], 0.5),
                     t_pend(1, 1) == t_pend(1, 5))


def reflect(dx, dy):
    """A ray (dx, dy) reflected from the mirror y = 0."""
    return dx, -dy


def phys_18_02():
    rx, ry = reflect(math.cos(math.radians(-35)), math.sin(math.radians(-35)))
    return true_ones(3 * 2 == 5, 2 * 10 < 10, close(math.degrees(math.atan2(ry, rx)), 35),
                     238 - nucleus_after(92, 238, "alpha")[1] == 2,
                     gas(1, p=1e5, t=300)["U"] == gas(1, p=2e5, t=300)["U"])


def phys_18_03():
    left = Fraction(1, 2) ** 2
    return true_ones(G * 2 == 20, close((9e9 / 2 ** 2) / 9e9, 0.5), close(gas(1, v=0.01, t=600)["p"] / gas(1, v=0.01, t=300)["p"], 2),
                     1 - left == Fraction(3, 4), close(1 / 0.5, 0.5))


def phys_18_04():
    heights = [0, 3, 5, 1, 0]  # any closed path returns to its start
    work_gravity = sum(1 * G * (a - b) for a, b in zip(heights, heights[1:]))
    gamma_work = 100.0  # adiabatic: Q = 0, the gas does positive work
    du_adiabatic = -gamma_work
    levels = (-13.6 / 1 ** 2, -13.6 / 2 ** 2, -13.6 / 3 ** 2)
    nu = lambda e1, e2: (e2 - e1) / 4.14e-15
    return true_ones(work_gravity == 0, du_adiabatic > 0, abs(0.2 * 3 * 0.5 * math.sin(0)) < 1e-12,
                     close(nu(levels[0], levels[1]), nu(levels[0], levels[2])), 1 * 4 ** 2 / 2 == 16)


def phys_18_05():
    s = lambda t: 2 * t * t / 2
    return true_ones(close(s(3) / s(1), 9), 4200 * 1 * 2 == 8400, capacitor(0.002) > capacitor(0.001), close(3e8 / 1.5, 2e8), 6 == 8)


def phys_05_06():
    x = lambda t: 3 + 4 * t + t * t
    v = lambda t: derivative(x, t)
    a = derivative(v, 1.0, 1e-4)
    return true_ones(close(v(0), 4), close(a, 1), close(2 * a, 4), close(v(2), 8), close(x(2) - x(0), 8))


def phys_09_06():
    a, b = gas(2, p=1e5, t=300), gas(2, p=1e5, t=400)
    work = a["p"] * (b["V"] - a["V"])
    du = b["U"] - a["U"]
    return true_ones(close(work, 1662), close(du, 1662), close(du + work, 4155), b["V"] < a["V"], close(b["E"], a["E"]))


def phys_14_06():
    i, u = circuit(12, 2, 10)
    return true_ones(close(i, 1), close(u, 12), close(i * i * 10, 10), close(12 / 2, 6), close(u / 12, 0.5))


def wire(l, volume=1e-6, rho=1.7e-8):
    return rho * l / (volume / l), rho


def phys_18_06():
    t_pend = lambda l, m: 2 * math.pi * math.sqrt(l / G)  # the mass does not enter the equation of motion
    mirror_image_real = False  # the reflected rays diverge: only their extensions meet
    return true_ones(t_pend(1, 1) == t_pend(1, 3), close(10 + 10, 10 / 2), gas(1, v=0.01, t=400)["U"] > gas(1, v=0.01, t=300)["U"],
                     mirror_image_real, close(photon(C_LIGHT / 400e-9)[1] / photon(C_LIGHT / 800e-9)[1], 2))


def phys_05_07():
    s, s2 = spring(0.5, 50, 0.04), spring(0.5, 50, 0.08)
    return true_ones(abs(s["T"] - 0.63) < 0.005, close(s["vmax"], 0.4), close(s["E"], 0.08), close(s["Fmax"], 2), close(s2["T"] / s["T"], 2))


def phys_09_07():
    p, ps = 0.6 * 2.34, 2.34
    return true_ones(close(p, 1.404), close(vapour(p, ps, 1.5)[0] / ps, 1), close(vapour(p, ps, 0.5)[0] / ps, 0.3),
                     close(vapour(p, ps, 2)[0], 2.808), p < ps)


def phys_14_07():
    f_lens, d = 0.20, 0.60
    img = 1 / (1 / f_lens - 1 / d)
    img_near = 1 / (1 / f_lens - 1 / 0.10)
    return true_ones(img > 0, close(img, 0.30), img / d > 1, close(1 / f_lens, 5), img_near > 0)


def phys_18_07():
    friction = lambda mu, n, area: mu * n  # Amontons: the area does not enter
    melting_t = [0.0, 0.0]  # the melting point holds while the solid melts
    return true_ones(friction(0.3, 10, 1) == friction(0.3, 10, 5), melting_t[1] > melting_t[0],
                     close(wire(2.0, volume=2e-6)[0] / wire(1.0, volume=1e-6)[0], 0.5), C_LIGHT == 3e8,
                     92 - nucleus_after(92, 238, "alpha")[0] == 2)


# --- added with the vectors, №1/№6 informatics and physics №20 tasks ----------------


def throw_horizontal(h, v0, dt=1e-5):
    """Time of flight, range, speed at landing and final horizontal speed, step by step."""
    t, x, y, vx, vy = 0.0, 0.0, h, v0, 0.0
    while y > 0:
        vy -= G * dt
        x += vx * dt
        y += vy * dt
        t += dt
    return t, x, math.hypot(vx, vy), vx


def phys_05_08():
    a, b = throw_horizontal(20, 15), throw_horizontal(20, 30)
    return true_ones(close(a[0], 2), close(a[1], 30), close(a[2], 25), a[3] < 15, close(b[0], 2 * a[0]))


def pendulum_period(l):
    return 2 * math.pi * math.sqrt(l / G)


def phys_09_08():
    a, b = gas(2, v=0.01, t=200), gas(2, v=0.01, t=350)
    work = 0.0  # the volume does not change
    q = b["U"] - a["U"] + work
    return true_ones(work > 0, close(b["U"] - a["U"], 3739.5), close(b["p"] / a["p"], 1.75), q < 0, b["E"] < a["E"])


def phys_14_08():
    u, r1, r2 = 12, 3, 6
    i1, i2 = Fraction(u, r1), Fraction(u, r2)  # parallel: the same voltage on both
    return true_ones(u / (i1 + i2) == 2, i1 == 4, i1 + i2 == 4, u * i2 == 24, i1 * r1 < i2 * r2)


def thomson(l, c):
    return 2 * math.pi * math.sqrt(l * c)


def phys_17_08():
    nu, work_fn = 1e15, 3.2e-19
    n1, n2 = 1e-3 / (H * nu), 2e-3 / (H * nu)  # photons per second at twice the power
    return changes((n1, n2), (H * nu - work_fn, H * nu - work_fn))


def phys_18_08():
    iso = gas(1, v=0.01, t=300)["p"] > gas(1, v=0.02, t=300)["p"]
    accel = lambda f, m: f / m
    ampere = lambda b, i, l, alpha: b * i * l * math.sin(math.radians(alpha))
    nu_air = nu_water = 5e14  # the source sets the frequency
    half_life = lambda n0: 5730.0  # a constant of the isotope, whatever n0
    return true_ones(iso, accel(10, 4) > accel(10, 2), abs(ampere(0.1, 2, 0.5, 0)) < 1e-12, nu_water < nu_air,
                     half_life(100) != half_life(1000))


def one_change_pair(rows, vary):
    """№20: the two setups that differ in `vary` and in nothing else (there must be one pair)."""
    pairs = [(i, j) for i in range(len(rows)) for j in range(i + 1, len(rows))
             if rows[i][vary] != rows[j][vary] and all(rows[i][k] == rows[j][k] for k in range(len(rows[i])) if k != vary)]
    assert len(pairs) == 1, pairs
    return "%d%d" % (pairs[0][0] + 1, pairs[0][1] + 1)


def phys_05_09():
    m, f_pull, v, a = 2, 6, 0.5, 0.0  # constant speed: no acceleration
    friction = f_pull - m * a
    net = f_pull - friction
    return true_ones(close(friction, 6), close(friction / (m * G), 0.3), close(net, 6), close(v * 4, 2), close(m * v * v / 2, 1))


def phys_09_09():
    heat = lambda c, m, dt: c * m * dt
    q_al, q_cu = heat(920, 1, 10), heat(400, 1, 10)
    return true_ones(close(q_al, 9200), q_cu > q_al, close(heat(400, 1, 20), 8000), close(q_cu / q_al, 2.3),
                     close(-heat(920, 1, -10), 9200))


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def phys_14_09():
    def force(i, l, alpha):  # F = I l × B, the wire along x, B at angle alpha to it
        b = (0.2 * math.cos(math.radians(alpha)), 0.2 * math.sin(math.radians(alpha)), 0.0)
        return tuple(i * c for c in cross((l, 0.0, 0.0), b))
    f = force(4, 0.5, 90)
    along = math.hypot(*cross(f, (1.0, 0.0, 0.0))) < 1e-12
    return true_ones(close(math.hypot(*f), 0.4), math.hypot(*force(4, 0.5, 0)) < 1e-12,
                     close(math.hypot(*force(8, 0.5, 90)), 0.2), along, close(math.hypot(*force(4, 0.5, 30)), 0.2))


def phys_18_09():
    g_of = lambda m: 6.67e-11 * 6e24 * m / 6.4e6 ** 2 / m  # F/m for a body of mass m
    boiling_t = [100.0, 100.0]  # the boiling point holds at constant pressure
    sound_in_vacuum = None  # a mechanical wave needs a medium
    return true_ones(close(g_of(1), g_of(50)), boiling_t[1] > boiling_t[0], close(1 / (1 / 10 + 1 / 10), 10 / 2),
                     sound_in_vacuum == 340, nucleus_after(27, 60, "beta")[1] == 60)


def segment_cover_length(p, q):
    """№15 with segments: the shortest segment A covering every point of P outside Q,
    found on a grid of step 1/100 (the set ends where the next grid point leaves it)."""
    step = Fraction(1, 100)
    pts = [k * step for k in range(0, 100 * 100) if p[0] <= k * step <= p[1] and not q[0] <= k * step <= q[1]]
    return max(pts) + step - min(pts)


COMPUTE = {
    # math
    "math-01": lambda: math.hypot(6, 8),
    "math-02": lambda: (180 - 40) / 2,
    "math-03": lambda: 124 / 2,
    "math-04": lambda: 5 * 8 * math.sin(math.radians(30)),
    "math-05": lambda: math.hypot(3, -4),
    "math-06": lambda: 2 * -3 + 5 * 4,
    "math-07": lambda: Fraction(60, 3 * 4),
    "math-08": lambda: 3 ** 2 * 5,
    "math-09": lambda: Fraction(7, 25),
    "math-10": two_coin_exactly_one,
    "math-11": lambda: Fraction(400 - 12, 400),
    "math-12": lambda: Fraction(8, 10) ** 3,
    "math-13": lambda: (1 - Fraction(1, 10)) * (1 - Fraction(2, 10)),
    "math-14": lambda: (1 - Fraction(5, 100)) ** 2,
    "math-15": lambda: solve_int(lambda x: x >= 3 and 2 ** (x - 3) == 16),
    "math-16": lambda: solve_int(lambda x: x + 4 > 0 and abs(math.log(x + 4, 5) - 2) < 1e-12),
    "math-17": lambda: solve_int(lambda x: 2 * x + 7 >= 0 and math.isclose(math.sqrt(2 * x + 7), 5)),
    "math-18": lambda: max(quad_roots(1, -7, 10)),
    "math-19": lambda: math.log2(48) - math.log2(3),
    "math-20": lambda: 27 ** (2 / 3) * 4 ** (-1 / 2),
    "math-21": lambda: (Fraction(36, 10) * 10 ** 3) / (Fraction(12, 10) * Fraction(1, 10)),
    "math-22": lambda: derivative(lambda t: t ** 3 - 4 * t ** 2 + 5, 3),
    "math-23": lambda: time_at_least(lambda t: 20 * t - 5 * t * t, 15, 4),
    "math-24": lambda: (48 / 3 - 48 / 4) / 2,
    "math-25": lambda: (1 - Fraction(12, 10) * Fraction(8, 10)) * 100,
    "math-26": lambda: grid_min(lambda x: x * x - 6 * x + 13, 0, 5),
    "math-27": lambda: local_max_points(lambda x: -x ** 3 + 3 * x + 5, -5, 5)[0],
    # math: added tasks
    "math-01-01": lambda: 180 - 47 - 68,
    "math-01-02": lambda: Fraction(10 * 14, 2),
    "math-01-03": lambda: solve_int(lambda a: 2 * a - a == 36, 0, 180),
    "math-01-04": lambda: solve_int(lambda b: 7 + b == 2 * 11, 0, 100),
    "math-03-01": lambda: 6 * solve_int(lambda a: a ** 3 == 64, 1, 100) ** 2,
    "math-03-02": lambda: Fraction(3 ** 2 * 7, 3),
    "math-03-03": lambda: 4 * 3 ** 2,
    "math-03-04": lambda: (3 * 5) ** 3 // 5 ** 3,
    "math-04-01": lambda: prob(["д"] * 12 + ["м"] * 18, lambda o: o == "м"),
    "math-04-02": lambda: prob(itertools.product("ОР", repeat=3), lambda o: "О" not in o),
    "math-04-03": lambda: prob(range(40), lambda k: k >= 6),
    "math-05-01": lambda: (1 - Fraction(7, 10)) ** 2,
    "math-05-02": lambda: Fraction(25, 100) + Fraction(15, 100),
    "math-05-03": lambda: 1 - Fraction(2, 10) ** 2,
    "math-06-01": lambda: solve_int(lambda x: Fraction(1, 7) ** (x - 4) == 49, -50, 50),
    "math-06-02": lambda: max(x for x in solve_real(lambda x: math.sqrt(x + 10) - (x - 2), -10, 20)),
    "math-06-03": lambda: one_root(lambda x: math.log2(5 * x - 1) - 4, 0.21, 100),
    "math-07-01": lambda: math.log(4, 6) + math.log(9, 6),
    "math-07-02": lambda: 16 ** 0.75,
    "math-07-03": lambda: (math.sqrt(18) - math.sqrt(2)) * math.sqrt(2),
    "math-08-01": lambda: one_root(lambda x: derivative(lambda t: t * t + 3 * t - 4, x) - 5, -10, 10),
    "math-08-02": lambda: one_root(lambda t: derivative(lambda u: u * u - 6 * u + 11, t) - 4, 0, 20),
    "math-08-03": lambda: derivative(lambda x: x ** 3 - 2 * x, 2),
    "math-08-04": lambda: next(c for c in range(-50, 51) if len(solve_real(lambda x: x * x + c - (6 * x - 5) - 1e-9, -20, 20)) == 2
                               and grid_min(lambda x: x * x + c - (6 * x - 5), -20, 20) > -1e-6),
    "math-09-01": lambda: local_max_points(lambda t: 1.4 + 14 * t - 5 * t * t, 0, 4)[0],
    "math-09-02": lambda: 1000 * one_root(lambda h: math.sqrt(2 * 6400 * h) - 16, 1e-9, 1),
    "math-09-03": lambda: one_root(lambda r: 12 * r / (12 + r) - 4, 0.1, 100),
    "math-09-04": lambda: one_root(lambda l: 2 * math.sqrt(l) - 3, 0, 10),
    "math-10-01": lambda: 1 / (Fraction(1, 6) + Fraction(1, 12)),
    "math-10-02": lambda: (4 * Fraction(15, 100) + 6 * Fraction(25, 100)) / 10 * 100,
    "math-10-03": lambda: one_root(lambda t: 60 * t + 70 * t - 390, 0, 20),
    "math-12-01": lambda: grid_max(lambda x: 2 * x ** 3 - 6 * x + 1, -2, 0),
    "math-12-02": lambda: local_min_points(lambda x: x ** 3 - 12 * x + 7, -10, 10)[0],
    "math-12-03": lambda: grid_min(lambda x: x + 9 / x, 1, 6),
    "math-03-05": lambda: 2 * 2 * 5,
    "math-03-06": lambda: Fraction(6 ** 2 * 4, 3),
    "math-04-04": lambda: prob(range(250), lambda k: k >= 60),
    "math-04-05": lambda: prob(itertools.product(range(1, 7), repeat=2), lambda o: o[0] * o[1] % 2 == 1),
    "math-05-04": lambda: Fraction(93, 100) - Fraction(81, 100),
    "math-05-05": lambda: Fraction(8, 10) ** 3 * Fraction(2, 10),
    "math-06-04": lambda: min(quad_roots(1, 4, -21)),
    "math-07-04": lambda: 5 ** (math.log(9, 5) + 1),
    "math-07-05": lambda: math.tan(math.acos(0.8)),
    "math-08-05": lambda: one_root(lambda x: derivative(lambda t: t * t - 8 * t + 3, x), -20, 20.5),
    "math-08-06": lambda: derivative(lambda t: derivative(lambda u: 2 * u ** 3 - 3 * u ** 2 + 4, t, 1e-4), 2, 1e-4),
    "math-08-07": lambda: derivative(lambda x: 4 * math.sqrt(x), 4),
    "math-09-05": lambda: min(r for r in range(1, 1000) if 220 / r <= 5),
    "math-09-06": lambda: max(v for v in range(0, 200) if v * v / (2 * 5) <= 90),
    "math-09-07": lambda: min(solve_real(lambda t: 20 + 30 * t - t * t - 220, 0.001, 40)),
    "math-10-04": lambda: Fraction(300, 15) * Fraction(3600, 1000),
    "math-10-05": lambda: one_root(lambda x: x * 0.75 - 1800, 1, 10000),
    "math-10-06": lambda: 1 / (Fraction(1, 6) - Fraction(1, 10)),
    "math-12-04": lambda: grid_max(lambda x: -x * x + 8 * x - 5, 0, 5),
    "math-12-05": lambda: local_max_points(lambda x: x ** 3 - 3 * x ** 2 - 9 * x + 2, -10, 10)[0],
    "math-12-06": lambda: grid_min(lambda x: (x - 5) * math.exp(x - 4), 3, 5),
    "math-01-05": lambda: math.sqrt(15 ** 2 - 9 ** 2),
    "math-01-06": lambda: 0.5 * 10 * 7 * math.sin(math.radians(150)),
    "math-03-07": lambda: math.sqrt(2 ** 2 + 3 ** 2 + 6 ** 2),
    "math-03-08": lambda: Fraction(4 * 3 ** 3, 3),
    "math-04-06": lambda: prob(range(1200), lambda k: k >= 18),
    "math-04-07": lambda: prob(itertools.product("ОР", repeat=4), lambda o: o.count("О") == 2),
    "math-05-06": lambda: sum(Fraction(6, 10) ** sum(o) * Fraction(4, 10) ** (2 - sum(o)) for o in itertools.product((0, 1), repeat=2) if sum(o) == 1),
    "math-05-07": lambda: 1 - (Fraction(3, 10) + Fraction(3, 10) - Fraction(12, 100)),
    "math-06-05": lambda: solve_int(lambda x: Fraction(7) ** (2 * x - 3) == Fraction(1, 7), -50, 50),
    "math-06-06": lambda: one_root(lambda x: math.log(x - 2, 3) - math.log(7, 3) - 1, 2.001, 1000),
    "math-07-06": lambda: Fraction(2 ** 7 * 3 ** 5, 6 ** 5),
    "math-07-07": lambda: 2 * math.sin(math.radians(15)) * math.cos(math.radians(15)),
    "math-08-08": lambda: one_root(lambda x: derivative(lambda t: 2 * t ** 3 - 24 * t + 1, x), 0.001, 100),
    "math-08-09": lambda: local_max_points(lambda t: derivative(lambda u: -u ** 3 / 3 + 4 * u * u + 2 * u, t), 0, 20, 20000)[0],
    "math-09-08": lambda: time_at_least(lambda t: 1 + 11 * t - 5 * t * t, 3, 3),
    "math-09-09": lambda: 100 * one_root(lambda x: 200 * x * x / 2 - 4, 0, 10),
    "math-10-07": lambda: one_root(lambda v: 36 / (v + 3) + 36 / (v - 3) - 5, 3.001, 100),
    "math-10-08": lambda: 10000 * Fraction(11, 10) ** 2,
    "math-12-07": lambda: grid_min(lambda x: x ** 3 - 27 * x + 10, 0, 4),
    "math-12-08": lambda: grid_max(lambda x: 16 * math.sqrt(x) - 2 * x, 0, 25),
    "math-01-07": lambda: Fraction(6 + 10, 2) * 5,
    "math-03-09": lambda: (4 * math.pi * 2 ** 2) / (4 * math.pi * 1 ** 2),
    "math-04-08": lambda: prob(range(50), lambda k: k >= 14 + 2 * (50 - 14) // 3),
    "math-05-08": lambda: 1 - (1 - Fraction(8, 10)) * (1 - Fraction(7, 10)),
    "math-06-07": lambda: one_root(lambda x: 1 / (2 * x - 5) - 1 / 3, 2.51, 100),
    "math-07-08": lambda: (math.sqrt(7) + 2) * (math.sqrt(7) - 2),
    "math-08-10": lambda: derivative(math.log, 0.25),
    "math-09-10": lambda: max(p / 100 for p in range(0, 1501) if (p / 100) * (150 - 10 * p / 100) >= 440 - 1e-9),
    "math-10-09": lambda: one_root(lambda v: 60 / v - 60 / (v + 10) - 1, 0.1, 200),
    "math-12-09": lambda: grid_max(lambda x: math.log(x + 3) - x, -2.5, 0),
    # informatics
    "inf-01": truth_columns,
    "inf-02": lambda: count_truth(4, lambda x, y, z, w: (not (x and y)) or (z == w)),
    "inf-03": lambda: fano_min_total(["0", "10", "110"], 2),
    "inf-04": min_fano_len,
    "inf-05": lambda: min(n for n in range(1, 1000) if algo_parity(n) > 100),
    "inf-06": lambda: min(r for r in (algo_suffix(n) for n in range(1, 1000)) if r > 60),
    "inf-07": lambda: image_kib(1024, 768, 65536),
    "inf-08": lambda: max_colours(256, 128, 16),
    "inf-09": lambda: count_words("КОТ", 5, lambda w: w.count("О") == 2),
    "inf-10": lambda: count_words("ЛЕСА", 4, lambda w: w[0] in "ЕА"),
    "inf-11": lambda: bytes_for(40, 15, 26 + 10),
    "inf-12": lambda: bytes_for(50, 10, 12),
    "inf-13": editor,
    "inf-14": lambda: hosts("255.255.255.224"),
    "inf-15": lambda: net_last_byte("192.168.37.150", "255.255.255.192"),
    "inf-16": lambda: bin(4 ** 15 + 2 ** 20 - 16).count("1"),
    "inf-17": lambda: base_digits(4 ** 20 + 2 ** 30 - 16, 4).count(3),
    "inf-18": min_x_divisible,
    "inf-19": min_a,
    "inf-20": lambda: fib(15),
    "inf-21": lambda: g(10),
    "inf-22": lambda: programs(1, 12, [lambda x: x + 1, lambda x: x * 2]),
    "inf-23": lambda: programs(2, 30, [lambda x: x + 1, lambda x: x * 3], through=10),
    "inf-24": lambda: first_m_ending(500000, 7),
    **{"inf-01-%02d" % i: road_length for i in range(1, 6)},
    **{"inf-06-%02d" % i: turtle_points for i in range(1, 6)},
    **{"inf-19-%02d" % i: game19 for i in range(1, 6)},
    **{"inf-20-%02d" % i: game20 for i in range(1, 6)},
    **{"inf-21-%02d" % i: game21 for i in range(1, 6)},
    # informatics: added tasks
    "inf-02-01": truth_columns,
    "inf-02-02": lambda: count_truth(4, lambda x, y, z, w: imp(x, y) and (z or w)),
    "inf-02-03": lambda: count_truth(3, lambda x, y, z: not imp(x == y, z)),
    "inf-04-01": lambda: fano_min_len(["0", "11", "101"]),
    "inf-04-02": lambda: fano_min_total(["00", "01", "10"], 2),
    "inf-04-03": lambda: fano_decode({"А": "0", "Б": "10", "В": "110", "Г": "111"}, "1100100111"),
    "inf-05-01": lambda: min(n for n in range(1, 1000) if int("1" + bin(n)[2:] + "1", 2) > 100),
    "inf-05-02": lambda: min(n for n in range(100, 1000) if "".join(map(str, sorted(
        [int(str(n)[0]) + int(str(n)[1]), int(str(n)[1]) + int(str(n)[2])], reverse=True))) == "1511"),
    "inf-05-03": lambda: int(bin(13)[2:] + bin(13)[-2:], 2),
    "inf-07-01": lambda: Fraction(16000 * 16 * 2 * 60, 8 * 1024),
    "inf-07-02": lambda: image_kib(640, 480, 256),
    "inf-07-03": lambda: Fraction(math.ceil(math.log2(2 ** 24)), math.ceil(math.log2(256))),
    "inf-08-01": lambda: count_words("МАРТ", 6, lambda w: w.count("А") == 1),
    "inf-08-02": lambda: sum(1 for n in range(25, 125) if len(set(base_digits(n, 5))) == 3),
    "inf-08-03": lambda: sorted("".join(w) for w in itertools.product("КЛМН", repeat=4))[27 - 1],
    "inf-11-01": lambda: bytes_for(60, 8, 18 + 10),
    "inf-11-02": lambda: max(a for a in range(2, 1000) if bytes_for(25, 32, a) <= 500),
    "inf-11-03": lambda: 30 * (bytes_for(1, 11, 7) + 10),
    "inf-12-01": lambda: replace_loop("8" * 80, [("888", "3"), ("333", "8")]),
    "inf-12-02": lambda: replace_loop("1" + "0" * 80, [("10", "001")]).count("0"),
    "inf-12-03": lambda: sum(int(c) for c in replace_loop("2" + "1" * 50, [("21", "12"), ("11", "2")])),
    "inf-12-04": lambda: replace_loop("1" + "2" * 40, [("12", "21"), ("222", "1")]).count("1"),
    "inf-13-01": lambda: 200 & 240,
    "inf-13-02": lambda: hosts("255.255.252.0"),
    "inf-13-03": lambda: max(k for k in range(33) if (0xAC102D09 >> (32 - k)) == (0xAC102D46 >> (32 - k))),
    "inf-14-01": lambda: bin(255 * 2 ** 10 + 7)[2:].count("0"),
    "inf-14-02": lambda: next(b for b in range(4, 75) if base_digits(75, b) == [1, 1, 3]),
    "inf-15-01": lambda: max(a for a in range(1, 1000) if all(x % a == 0 for x in range(1, 2000) if x % 12 == 0 or x % 18 == 0)),
    "inf-15-02": lambda: min(a for a in range(0, 256) if all(imp(x & 29 != 0, imp(x & 12 == 0, x & a != 0)) for x in range(1024))),
    "inf-15-03": lambda: Fraction(sum(1 for k in range(10000, 30001) if not 20000 <= k <= 40000), 1000),
    "inf-15-04": lambda: min(a for a in range(1, 100) if all((2 * x + 3 * y != 60) or a > x or a > y for x in range(61) for y in range(61))),
    "inf-16-01": lambda: (lambda f: f(f, 10))(lambda f, n: n if n < 3 else f(f, n - 1) + 2 * f(f, n - 2)),
    "inf-16-02": lambda: printed_sum(9),
    "inf-16-03": lambda: (lambda f: f(f, 2020) - f(f, 2023))(lambda f, n: n if n >= 2025 else n + f(f, n + 2)),
    "inf-23-01": lambda: programs(3, 15, [lambda x: x + 1, lambda x: x + 3]),
    "inf-23-02": lambda: programs_avoiding(2, 20, [lambda x: x + 1, lambda x: x * 2], 11),
    "inf-23-03": lambda: programs(1, 27, [lambda x: x + 2, lambda x: x * 3]),
    "inf-25-01": lambda: next("%d %d" % (n, max(inner_divisors(n))) for n in itertools.count(200001) if len(inner_divisors(n)) == 1),
    "inf-25-02": lambda: " ".join("%d %d" % (n, n // 741) for n in range(741, 10 ** 6 + 1, 741) if mask_re("3?7*1").match(str(n))),
    "inf-25-03": lambda: (lambda found: "%d %d" % (found[0], len(found)))([n for n in range(317, 10 ** 6 + 1, 317) if mask_re("4*5?8").match(str(n))]),
    "inf-25-04": lambda: next("%d %d" % (n, max(inner_divisors(n))) for n in itertools.count(300001) if len(inner_divisors(n)) == 2),
    "inf-02-04": truth_columns,
    "inf-02-05": lambda: count_truth(5, lambda x, y, z, w, v: (x or y) and (z or w or v)),
    "inf-04-04": lambda: fano_min_total(["00", "010", "011", "101"], 2),
    "inf-04-05": lambda: fano_decode({"А": "01", "Б": "1", "В": "001", "Г": "000"}, "0100110001"),
    "inf-05-04": lambda: min(n for n in range(1, 1000) if 3 * n + sum(base_digits(n, 3)) % 3 > 80),
    "inf-05-05": lambda: int("".join("1" if c == "0" else "0" for c in bin(83)[2:]), 2),
    "inf-07-04": lambda: Fraction(Fraction(28125, 10) * 1024, 2 * 2 * 30 * 1000),
    "inf-07-05": lambda: max_colours(800, 600, Fraction(46875, 100)),
    "inf-08-04": lambda: count_words("ПАРК", 5, lambda w: w.count("А") <= 1 and w[0] != "А"),
    "inf-08-05": lambda: sum(1 for n in range(16 ** 3, 16 ** 4) if all(d % 2 for d in base_digits(n, 16)) and len(set(base_digits(n, 16))) == 4),
    "inf-11-04": lambda: 80 * (bytes_for(1, 9, 22) + 6),
    "inf-11-05": lambda: max(a for a in range(2, 1000) if 40 * (bytes_for(1, 14, a) + 5) <= 600),
    "inf-12-05": lambda: replace_loop("5" + "2" * 60, [("52", "25"), ("2222", "5")]).count("5"),
    "inf-13-04": lambda: hosts("255.255.224.0"),
    "inf-13-05": lambda: min(m for m in (256 - 2 ** k for k in range(9)) if 145 & m == 144 and 201 & (255 if m == 255 else 0) == 0),
    "inf-14-03": lambda: bin(8 ** 10 - 2 ** 5).count("1"),
    "inf-14-04": lambda: sum(base_digits(200, 7)),
    "inf-15-05": lambda: max(a for a in range(1, 1000) if all(imp(x % a != 0, imp(x % 6 == 0, x % 4 != 0)) for x in range(1, 3000))),
    "inf-16-04": lambda: (lambda f: f(f, 10))(lambda f, n: 1 if n == 0 else f(f, n - 1) + n * n),
    "inf-16-05": lambda: (lambda f: f(f, 40))(lambda f, n: n if n < 10 else f(f, n // 2) + f(f, n - 10) + 1),
    "inf-23-04": lambda: programs(1, 18, [lambda x: x + 1, lambda x: x * 2, lambda x: x * 3]),
    "inf-23-05": lambda: programs(1, 6, [lambda x: x + 1, lambda x: x + 2]) * programs_avoiding(6, 12, [lambda x: x + 1, lambda x: x + 2], 9),
    "inf-25-05": lambda: next("%d %d" % (n, max(inner_divisors(n))) for n in itertools.count(600001)
                              if len(inner_divisors(n)) == 4 and all(d % 2 for d in inner_divisors(n))),
    "inf-25-06": lambda: (lambda found: "%d %d" % (found[0], len(found)))([n for n in range(159, 10 ** 6 + 1, 159) if mask_re("1?34*").match(str(n))]),
    "inf-01-06": road_length,
    "inf-06-06": turtle_points,
    "inf-19-06": game19,
    "inf-20-06": game20,
    "inf-21-06": game21,
    "inf-02-06": lambda: count_truth(4, lambda x, y, z, w: imp(x and y, z or not w)),
    "inf-04-06": lambda: fano_min_total(["1", "01"], 3),
    "inf-05-06": lambda: min(n for n in range(1, 1000) if int(bin(n)[2:] * 2, 2) > 500),
    "inf-07-06": lambda: (64 * 1024 * 1024) // (1280 * 960 * 24 // 8),
    "inf-08-06": lambda: count_words("АБВ", 5, lambda w: all(a != b for a, b in zip(w, w[1:]))),
    "inf-11-06": lambda: bytes_for(100, 12, 10 + 26 + 26),
    "inf-12-06": lambda: replace_loop("9" * 100, [("11", "9"), ("999", "1")]),
    "inf-13-06": lambda: hosts("255.255.255.240") - 2,
    "inf-14-05": lambda: base_digits(9 ** 8 + 3 ** 5 - 3, 3).count(2),
    "inf-15-06": lambda: max(a for a in range(0, 256) if all((x & 13 != 0) or (x & a == 0) for x in range(1024))),
    "inf-16-06": lambda: (lambda f: f(f, 8))(lambda f, n: 1 if n == 1 else 2 * f(f, n - 1) + n),
    "inf-23-06": lambda: programs(3, 25, [lambda x: x + 1, lambda x: x * 2]),
    "inf-25-07": lambda: next("%d %d" % (n, max(inner_divisors(n))) for n in itertools.count(1000001) if len(inner_divisors(n)) == 6),
    # physics
    "phys-01": lambda: 2 * 5 ** 2 / 2,
    "phys-02": lambda: 10 * 4 - (10 / 4) * 4 ** 2 / 2,
    "phys-03": lambda: 20 ** 2 / (2 * G),
    "phys-04": lambda: 4 ** 2 / 2,
    "phys-05": lambda: 12 / 3,
    "phys-06": lambda: 200 * 0.05,
    "phys-07": lambda: 0.3 * 2 * G,
    "phys-08": lambda: 3 * 4,
    "phys-09": lambda: 2 * 3 ** 2 / 2,
    "phys-10": lambda: math.sqrt(2 * G * 20),
    "phys-11": lambda: Fraction(20 * 1000 * Fraction(1, 2), (20 + 30) * 1000),
    "phys-12": lambda: 60 / 30,
    "phys-13": lambda: 4 * 30,
    "phys-14": lambda: Fraction(6 * 20, 30),
    "phys-15": lambda: 27 + 273,
    "phys-16": lambda: Fraction(100 * 6, 2),
    "phys-17": lambda: 2,  # p = nkT with n fixed: T scales as p
    "phys-18": lambda: Fraction(4200 * 2 * 10, 1000),
    "phys-19": lambda: 500 - 200,
    "phys-20": lambda: Fraction(1000 - 600, 1000) * 100,
    "phys-21": lambda: Fraction(20, 4 + 6),
    "phys-22": lambda: 1 / (1 / 10 + 1 / 10),
    "phys-23": lambda: Fraction(220) * Fraction(1, 2),
    "phys-24": lambda: (2 / 1) ** 2,
    "phys-25": lambda: Fraction(2, 10) * 4 * Fraction(1, 2),
    "phys-26": lambda: Fraction(6, 10) / Fraction(2, 10),
    "phys-27": lambda: 35 + 35,
    "phys-28": lambda: Fraction(1, 4) * 100,
    "phys-29": lambda: Fraction(1, 2) ** (30 // 10) * 100,
    "phys-30": lambda: 238 - 92,
    "phys-05-01": phys_05_01,
    "phys-05-02": phys_05_02,
    "phys-05-03": phys_05_03,
    "phys-05-04": phys_05_04,
    "phys-05-05": phys_05_05,
    "phys-06-01": lambda: changes(incline(30)[:1] + incline(45)[:1], incline(30)[1:] + incline(45)[1:]),
    "phys-06-02": lambda: changes((orbit(7e6)[0], orbit(8e6)[0]), (orbit(7e6)[1], orbit(8e6)[1])),
    "phys-06-03": lambda: changes((spring(0.4, 40, 0.05)["T"], spring(0.8, 40, 0.05)["T"]), (spring(0.4, 40, 0.05)["E"], spring(0.8, 40, 0.05)["E"])),
    "phys-06-04": lambda: matching(throw_up(12.0), [12 / G, 2 * 12 / G, 12 ** 2 / (2 * G), 12 ** 2 / G]),
    "phys-06-05": lambda: matching(puck(6.0, 0.2), [6 / (0.2 * G), 6 ** 2 / (2 * 0.2 * G), 0.2 * G, 6 ** 2 / (0.2 * G)]),
    "phys-09-01": phys_09_01,
    "phys-09-02": phys_09_02,
    "phys-09-03": phys_09_03,
    "phys-09-04": phys_09_04,
    "phys-09-05": phys_09_05,
    "phys-10-01": lambda: changes((gas(1, v=0.02, t=300)["p"], gas(1, v=0.01, t=300)["p"]), (gas(1, v=0.02, t=300)["U"], gas(1, v=0.01, t=300)["U"])),
    "phys-10-02": lambda: changes((gas(1, p=1e5, t=300)["V"], gas(1, p=1e5, t=400)["V"]), (gas(1, p=1e5, t=300)["n"], gas(1, p=1e5, t=400)["n"])),
    "phys-10-03": lambda: changes((carnot(500, 300, 1000)[0], carnot(500, 250, 1000)[0]), (carnot(500, 300, 1000)[1], carnot(500, 250, 1000)[1])),
    "phys-10-04": phys_10_04,
    "phys-10-05": lambda: changes((gas(1, v=0.01, t=400)["p"], gas(1, v=0.01, t=300)["p"]), (gas(1, v=0.01, t=400)["E"], gas(1, v=0.01, t=300)["E"])),
    "phys-14-01": phys_14_01,
    "phys-14-02": phys_14_02,
    "phys-14-03": phys_14_03,
    "phys-14-04": phys_14_04,
    "phys-14-05": phys_14_05,
    "phys-15-01": lambda: changes((capacitor(0.001), capacitor(0.002)), (capacitor(0.001) * 100, capacitor(0.002) * 100)),
    "phys-15-02": lambda: changes((1e-8, 1e-8), (1e-8 / capacitor(0.001), 1e-8 / capacitor(0.002))),
    "phys-15-03": lambda: changes((circuit(12, 1, 5)[0], circuit(12, 1, 8)[0]), (circuit(12, 1, 5)[1], circuit(12, 1, 8)[1])),
    "phys-15-04": phys_15_04,
    "phys-15-05": lambda: changes((C_LIGHT, C_LIGHT / 1.5), (5e14, 5e14)),  # the frequency is the source's
    "phys-17-01": lambda: changes((H * 8e14 - 3.2e-19, H * 1e15 - 3.2e-19), (3.2e-19, 3.2e-19)),
    "phys-17-02": lambda: changes((92, nucleus_after(92, 238, "alpha")[0]), (238 - 92, nucleus_after(92, 238, "alpha")[1] - nucleus_after(92, 238, "alpha")[0])),
    "phys-17-03": lambda: changes((14, nucleus_after(6, 14, "beta")[1]), (6, nucleus_after(6, 14, "beta")[0])),
    "phys-17-04": lambda: changes((photon(C_LIGHT / 600e-9)[0], photon(C_LIGHT / 400e-9)[0]), (photon(C_LIGHT / 600e-9)[1], photon(C_LIGHT / 400e-9)[1])),
    "phys-17-05": lambda: matching(photon(5e14), [H * 5e14, H * 5e14 / C_LIGHT, H * C_LIGHT / 5e14, H * 5e14 / C_LIGHT ** 2]),
    "phys-18-01": phys_18_01,
    "phys-18-02": phys_18_02,
    "phys-18-03": phys_18_03,
    "phys-18-04": phys_18_04,
    "phys-18-05": phys_18_05,
    # physics: added tasks
    "phys-01-01": lambda: (lambda x: x(4))(lambda t: 5 - 3 * t),
    "phys-02-01": lambda: 60 * (G + 2),
    "phys-02-02": lambda: (lambda f: f(1) / f(3))(lambda r: 1 / r ** 2),
    "phys-03-01": lambda: 400 * 0.05 ** 2 / 2,
    "phys-04-01": lambda: 2 * math.sqrt(4 * 1.0 / G) / math.sqrt(1.0 / G),
    "phys-04-02": lambda: 1000 * G * 0.002,
    "phys-07-01": lambda: gas(1, p=1e5, t=450)["V"] / gas(1, p=1e5, t=300)["V"] * 4,
    "phys-07-02": lambda: Fraction(64, 32),
    "phys-08-01": lambda: 200e3 * 0.003,
    "phys-08-02": lambda: 330 * 2,
    "phys-11-01": lambda: 60 * 10 * 60 / 1000,
    "phys-12-01": lambda: 0.2 * 3 ** 2 / 2,
    "phys-12-02": lambda: 2e-6 * 500 * 0.4 * math.sin(math.radians(90)) * 1000,
    "phys-12-03": lambda: 0.4 * 0.05 * math.cos(0),
    "phys-13-01": lambda: one_root(lambda f: 1 / 30 + 1 / f - 1 / 20, 21, 1000),
    "phys-13-02": lambda: 3 * 4,
    "phys-13-03": lambda: math.degrees(math.atan2(*reflect(math.sin(math.radians(40)), -math.cos(math.radians(40))))),
    "phys-16-01": lambda: nucleus_after(88, 226, "alpha")[1],
    "phys-16-02": lambda: 800 - 800 * Fraction(1, 2) ** 2,
    "phys-16-03": lambda: 3.3e-19 / 6.6e-34 / 1e14,
    "phys-01-02": lambda: Fraction(150 + 60, 2 + 1),
    "phys-01-03": lambda: one_root(lambda t: 20 - G * t * t / 2, 0.01, 10),
    "phys-02-03": lambda: math.hypot(3, 4) / 2,
    "phys-02-04": lambda: 1 * Fraction(12, 3 + 1),
    "phys-03-02": lambda: 0.2 * math.sqrt(2 * G * 5) ** 2 / 2,
    "phys-03-03": lambda: Fraction(500 * G * 12, 30),
    "phys-04-03": lambda: spring(9.0, 40, 0.05)["T"] / spring(1.0, 40, 0.05)["T"],
    "phys-04-04": lambda: 1000 * G * 3 / 1000,
    "phys-07-03": lambda: 3e25 / 6e23,
    "phys-07-04": lambda: gas(1, v=0.01, t=360)["p"] / gas(1, v=0.01, t=300)["p"] * 100,
    "phys-08-03": lambda: 800 - 300,
    "phys-08-04": lambda: carnot(500, 350, 1)[0] * 100,
    "phys-11-02": lambda: 0.017 * 100 / 0.5,
    "phys-11-03": lambda: circuit(12, 1, 5)[0],
    "phys-12-04": lambda: 0.5 * 5 * 0.4,
    "phys-12-05": lambda: 0.5 * (6 - 2) / 0.1,
    "phys-13-04": lambda: C_LIGHT / 6e6,
    "phys-13-05": lambda: abs(1 / -5) * 100,
    "phys-16-04": lambda: nucleus_after(27, 60, "beta")[0],
    "phys-16-05": lambda: 64 * Fraction(1, 2) ** (20 // 5),
    "phys-05-06": phys_05_06,
    "phys-06-06": lambda: changes((puck(6.0, 0.2)[0], puck(6.0, 0.4)[0]), (puck(6.0, 0.2)[1], puck(6.0, 0.4)[1])),
    "phys-09-06": phys_09_06,
    "phys-10-06": lambda: changes((gas(1, v=0.01, t=300)["n"], gas(1, v=0.01, t=400)["n"]), (gas(1, v=0.01, t=300)["E"], gas(1, v=0.01, t=400)["E"])),
    "phys-14-06": phys_14_06,
    "phys-15-06": lambda: changes((wire(1.0)[0], wire(2.0)[0]), (wire(1.0)[1], wire(2.0)[1])),
    "phys-17-06": lambda: changes((60 - 27, nucleus_after(27, 60, "beta")[1] - nucleus_after(27, 60, "beta")[0]), (60, nucleus_after(27, 60, "beta")[1])),
    "phys-18-06": phys_18_06,
    "phys-01-04": lambda: path_and_disp(lambda t: 20 * t - 2 * t * t / 2, 0, 10),
    "phys-02-05": lambda: 0.5 * G / 100 * 100,
    "phys-03-04": lambda: Fraction(40 * 2, 80),
    "phys-04-05": lambda: Fraction(1, 5),
    "phys-07-05": lambda: 200 * 2 / 8,
    "phys-08-05": lambda: 10 * 2,
    "phys-11-04": lambda: 3.2 * 1 / 1.6e-19 / 1e19,
    "phys-12-06": lambda: 0.5 * 0.1 ** 2 / 0.05,
    "phys-13-06": lambda: 30 + one_root(lambda f: 1 / 30 + 1 / f - 1 / 15, 15.01, 1000),
    "phys-16-06": lambda: 27 - 13,
    "phys-05-07": phys_05_07,
    "phys-06-07": lambda: changes((throw_up(10.0)[0], throw_up(15.0)[0]), (-G, -G)),
    "phys-09-07": phys_09_07,
    "phys-10-07": lambda: changes((gas(1, p=1e5, t=400)["V"], gas(1, p=1e5, t=300)["V"]), (gas(1, p=1e5, t=400)["U"], gas(1, p=1e5, t=300)["U"])),
    "phys-14-07": phys_14_07,
    "phys-15-07": lambda: changes((2 * math.pi * 50 * 0.1, 2 * math.pi * 100 * 0.1), (1 / (2 * math.pi * 50 * 1e-5), 1 / (2 * math.pi * 100 * 1e-5))),
    "phys-17-07": lambda: changes((C_LIGHT / 400e-9, C_LIGHT / 700e-9), (C_LIGHT, C_LIGHT)),
    "phys-18-07": phys_18_07,
    "math-02-03": lambda: math.hypot(2 + 3, 7 + 5),
    "math-02-04": lambda: 3 * 4 - 2 * -1,
    "math-02-05": lambda: solve_int(lambda k: 3 * 4 + k * -6 == 0),
    "math-02-06": lambda: (3 * 4 + 4 * 3) / (math.hypot(3, 4) * math.hypot(4, 3)),
    "math-02-07": lambda: math.hypot(9 - 1, 13 - -2),
    "math-02-08": lambda: 3 * 4 * math.cos(math.radians(60)),
    "math-02-09": lambda: math.sqrt(5 ** 2 + 2 * -9 + 3 ** 2),
    "math-02-10": lambda: (7 - 2 * 2) * 2 + (-1 - 2 * -4) * -4,
    "math-02-11": lambda: math.hypot((3 + 13) / 2, (-2 + 14) / 2),
    "inf-01-07": road_length,
    "inf-01-08": road_length,
    "inf-06-07": turtle_points,
    "inf-06-08": turtle_points,
    "inf-12-07": lambda: replace_loop("4" * 84, [("4444", "22"), ("222", "4")]),
    "inf-15-07": lambda: max(a for a in range(0, 256) if all(imp(x & 26 == 0 and x & 9 == 0, x & a == 0) for x in range(1024))),
    "phys-05-08": phys_05_08,
    "phys-06-08": lambda: changes((pendulum_period(1), pendulum_period(2)), (1 / pendulum_period(1), 1 / pendulum_period(2))),
    "phys-09-08": phys_09_08,
    "phys-10-08": lambda: changes((gas(1, v=0.01, t=300)["p"], gas(1, v=0.02, t=300)["p"]), (gas(1, v=0.01, t=300)["n"], gas(1, v=0.02, t=300)["n"])),
    "phys-14-08": phys_14_08,
    "phys-15-08": lambda: changes((thomson(1e-3, 1e-9), thomson(1e-3, 4e-9)), (C_LIGHT * thomson(1e-3, 1e-9), C_LIGHT * thomson(1e-3, 4e-9))),
    "phys-17-08": phys_17_08,
    "phys-18-08": phys_18_08,
    "phys-20-01": lambda: one_change_pair([(0.5, 100, 5), (1.0, 200, 5), (1.0, 100, 5), (0.5, 100, 10), (1.0, 200, 10)], 0),
    "phys-20-02": lambda: one_change_pair([("Al", 20, "вода"), ("Al", 40, "керосин"), ("Cu", 40, "вода"), ("Cu", 20, "керосин"), ("Al", 40, "вода")], 1),
    "phys-20-03": lambda: one_change_pair([("Cu", 1, 0.5), ("Cu", 2, 1), ("Al", 1, 1), ("Cu", 1, 1), ("Al", 2, 0.5)], 2),
    "phys-20-04": lambda: one_change_pair([(30, "дерево", "стекло"), (45, "дерево", "стекло"), (45, "сталь", "дерево"), (30, "сталь", "стекло"), (60, "дерево", "дерево")], 0),
    "phys-20-05": lambda: one_change_pair([(2, 0.1, 60), (1, 0.2, 60), (1, 0.1, 20), (1, 0.1, 60), (2, 0.2, 20)], 2),
    "inf-01-09": road_length,
    "inf-06-09": turtle_points,
    "inf-12-08": lambda: sum(int(c) for c in replace_loop("5" + "3" * 50, [("53", "35"), ("333", "5")])),
    "inf-15-08": lambda: segment_cover_length((15, 40), (21, 63)),
    "phys-05-09": phys_05_09,
    "phys-06-09": lambda: changes(tuple(2 * G * math.sin(math.radians(a)) for a in (20, 25)), tuple(2 * G * math.cos(math.radians(a)) for a in (20, 25))),
    "phys-09-09": phys_09_09,
    "phys-10-09": lambda: changes((carnot(500, 300, 2000)[0], carnot(600, 300, 2000)[0]), (carnot(500, 300, 2000)[2], carnot(600, 300, 2000)[2])),
    "phys-14-09": phys_14_09,
    "phys-15-09": lambda: changes((circuit(12, 1, 10)[0], circuit(12, 1, 5)[0]), (circuit(12, 1, 10)[1], circuit(12, 1, 5)[1])),
    "phys-17-09": lambda: changes((H * 5e14, H * 5e14), (C_LIGHT / 5e14, C_LIGHT / 1.5 / 5e14)),
    "phys-18-09": phys_18_09,
    "phys-20-06": lambda: one_change_pair([(80, 0.4, 2), (40, 0.2, 2), (40, 0.4, 4), (80, 0.2, 4), (40, 0.4, 2)], 1),
}

COMPUTED_SUBJECTS = ("math", "inf", "phys")


def parse_bank(path):
    """Tasks as dicts: id, subject, answers, order.  Independent of the C parser:
    blocks separated by blank lines, 'key: value' lines, indented lines continue."""
    tasks, subject = [], None
    block = []
    with open(path, encoding="utf-8-sig") as f:
        lines = f.read().splitlines() + [""]
    for line in lines:
        if line.strip() == "":
            if block:
                keys = {}
                for k, v in block:
                    keys.setdefault(k, []).append(v)
                if "title" in keys:
                    subject = keys["subject"][0]
                elif "id" in keys:
                    tasks.append({
                        "id": keys["id"][0],
                        "subject": keys.get("subject", [subject])[0],
                        "answers": keys.get("answer", []),
                        "order": keys.get("order", ["exact"])[0],
                        "text": "\n".join(keys.get("text", [""])),
                    })
            block = []
        elif line.startswith("#"):
            continue
        elif line[0] in " \t":
            if block and block[-1][0] == "text":  # a continuation line of text:
                block[-1] = ("text", block[-1][1] + "\n" + line.strip())
        else:
            k, _, v = line.partition(":")
            block.append((k.strip().lower(), v.strip()))
    return tasks


def as_number(s):
    """The bank's answer as an exact Fraction, or None when it is not a number."""
    s = s.strip().replace(",", ".").replace(" ", "")
    try:
        return Fraction(s)
    except ValueError:
        return None


def agrees(got, answer, order="exact"):
    if order in ("digits", "any"):
        want = [c for c in answer if c.isdigit()]
        have = [c for c in str(got) if c.isdigit()]
        return have == want if order == "digits" else sorted(have) == sorted(want)
    if isinstance(got, str):
        return got == answer.strip()
    want = as_number(answer)
    if want is None:
        return False
    if isinstance(got, (int, Fraction)):
        return Fraction(got) == want
    return math.isclose(got, float(want), rel_tol=1e-6, abs_tol=1e-6)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    tasks = parse_bank(sys.argv[1])
    by_id = {t["id"]: t for t in tasks}
    bad = 0
    done = 0
    for tid, fn in COMPUTE.items():
        t = by_id.get(tid)
        if t is None:
            print("MISSING  %s: recomputed here but not in the bank" % tid)
            bad += 1
            continue
        got = fn(t["text"]) if getattr(fn, "from_text", False) else fn()
        if not t["answers"]:
            print("MISMATCH %s: the bank has no answer" % tid)
            bad += 1
            continue
        shown = str(got) if not isinstance(got, Fraction) else (
            str(got.numerator) if got.denominator == 1 else str(float(got)))
        if agrees(got, t["answers"][0], t["order"]):
            print("ok       %-8s bank %-10s recomputed %s" % (tid, t["answers"][0], shown))
            done += 1
        else:
            print("MISMATCH %-8s bank %-10s recomputed %s" % (tid, t["answers"][0], shown))
            bad += 1
    for t in tasks:
        if t["subject"] in COMPUTED_SUBJECTS and t["id"] not in COMPUTE:
            print("UNCHECKED %s: add a recomputation to COMPUTE" % t["id"])
            bad += 1
    skipped = [t["id"] for t in tasks if t["subject"] not in COMPUTED_SUBJECTS]
    print("not computable (checked by hand): %d tasks (%s)" % (
        len(skipped), ", ".join(sorted(set(t["subject"] for t in tasks if t["id"] in skipped)))))
    print("recomputed %d answers, %d problems" % (done, bad))
    return 1 if bad or done == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
