"""The shape of examflow.c: sections in dependency order, options not the
global config, forward declarations only for recursion inside a section.

"Each banner uses only the banners above it" is checked by the compiler:
every prefix of the file that ends at a banner (sections 1..k) must compile
on its own with warnings as errors, so nothing in sections 1..k can call,
name or size anything that sections below define.  The appendix (the
embedded bank) is the one thing above main() that is referenced from above,
through an extern declaration of data.

not tested: that the essay's prose matches the code (read it).
"""
import os
import re
import shutil
import subprocess
import tempfile

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(TESTS_DIR, "..", "examflow.c")
BANNER = re.compile(r"^/\* =+\n \* (\d+)\. (.*)$", re.M)
INC = os.path.join(TESTS_DIR, "..", "vendor", "bearssl-0.6", "inc")

# Sections allowed to read the global `cfg`: the configuration itself and
# the command line (which wires the configuration into every section's options).
CFG_READERS = {"3", "14"}
# Forward declarations that stay: recursion inside one section.
RECURSION = {"ai_md_inline"}


def sections(text):
    """[(number, title, start offset)] in file order."""
    return [(m.group(1), m.group(2), m.start()) for m in BANNER.finditer(text)]


def test_sections_numbered_in_order(t):
    text = open(SRC, encoding="utf-8").read()
    nums = [int(n) for n, _, _ in sections(text)]
    t.eq(nums, list(range(1, len(nums) + 1)), "banner numbers")
    t.check(len(nums) >= 13, "at least 13 sections: %r" % nums)
    contents = text[:sections(text)[0][2]]
    for n, title, _ in sections(text):
        first = title.split(":")[0].strip()
        t.check(re.search(r"^ \* +%s\. %s" % (n, re.escape(first)), contents, re.M),
                "the essay's contents table lists section %s (%s)" % (n, first))
    t.check("Appendix" in text[sections(text)[-1][2]:], "the embedded bank is an appendix after main()")
    tail = text[text.index("int main(") if "int main(" in text else 0:]
    t.check("const char bank_embedded_text[]" in tail, "the bank text comes after main()")


def test_each_prefix_compiles_alone(t):
    """Sections 1..k compile without anything below them (k = 1..14)."""
    text = open(SRC, encoding="utf-8").read()
    secs = sections(text)
    cuts = [s for _, _, s in secs[1:]] + [len(text)]
    for (num, title, _), end in zip(secs, cuts):
        prefix = text[:end]
        with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False, dir=t.tmp) as f:
            f.write(prefix)
            f.write("\nint examflow_layout_check;\n")
            path = f.name
        p = subprocess.run(["cc", "-fsyntax-only", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                            "-Wno-unused-function", "-Wno-unused-variable", "-Wno-unused-const-variable",
                            "-Wno-unused-macros", "-D_GNU_SOURCE", "-DEXAMFLOW_NO_MAIN", "-I", INC, path],
                           capture_output=True, text=True, timeout=120)
        t.check(p.returncode == 0, "sections 1..%s (up to '%s') do not compile alone:\n%s"
                % (num, title, p.stderr[-3000:]))


def test_forward_declarations_only_for_recursion(t):
    text = open(SRC, encoding="utf-8").read()
    fwd = re.findall(r"^static [^\n(]*?\**(\w+)\([^\n]*\);$", text, re.M)
    t.check(set(fwd) <= RECURSION, "forward declarations beyond same-section recursion: %r" % sorted(set(fwd) - RECURSION))
    t.check(not re.search(r"^static const struct \w+ \w+\[\];$", text, re.M), "a forward array declaration")


def test_only_config_and_cli_read_cfg(t):
    text = open(SRC, encoding="utf-8").read()
    secs = sections(text)
    cuts = [s for _, _, s in secs[1:]] + [len(text)]
    for (num, title, start), end in zip(secs, cuts):
        body = re.sub(r"/\*.*?\*/", "", text[start:end], flags=re.S)
        uses = re.findall(r"(?<![\w.>])cfg(?:\.|\b(?=[,)]))", body)
        if num in CFG_READERS:
            continue
        t.check(not uses, "section %s (%s) reads the global cfg %d time(s)" % (num, title, len(uses)))



PLATFORM_IF = re.compile(r"^#\s*(?:if|ifdef|ifndef|elif)\b.*\b(?:_WIN32|_WIN64|__MINGW\w*|_MSC_VER|__linux__|__GLIBC__|"
                         r"__APPLE__|__unix__|__x86_64__|__aarch64__|__arm__|__i386__|__riscv|__clang__|__GNUC__)\b",
                         re.M)


def test_platform_ifs_only_in_the_os_block(t):
    """Every difference between Linux and Windows is in section 1's platform
    block: no platform #if before it or after its end marker."""
    text = open(SRC, encoding="utf-8").read()
    start = text.index("/* --- the platform: os_")
    end = text.index("/* --- end of the platform")
    outside = [m.group(0) for m in PLATFORM_IF.finditer(text) if not start < m.start() < end]
    t.eq(outside, [], "platform #if outside the os_ block")
    t.check(re.search(r"^#if defined\(_WIN32\)$", text[start:end], re.M), "the os_ block has its Windows branch")


def test_windows_prefixes_compile_alone(t):
    """test_each_prefix_compiles_alone with mingw-w64 (when installed), for the
    platform block: its Windows branch needs nothing from below it."""
    cc = "x86_64-w64-mingw32-gcc"
    if t.asan:
        return  # the same source and compiler: once is enough
    if not shutil.which(cc):
        print("  skip: no %s (apt-get install mingw-w64)" % cc, flush=True)
        return
    text = open(SRC, encoding="utf-8").read()
    secs = sections(text)
    cuts = [s for _, _, s in secs[1:]] + [len(text)]
    # Only section 1 holds Windows code; the whole file is compiled by make
    # windows.  Sections 1 and 1..2 (its first user) are the ones to check.
    for (num, title, _), end in list(zip(secs, cuts))[:2]:
        with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False, dir=t.tmp) as f:
            f.write(text[:end])
            f.write("\nint examflow_layout_check;\n")
            path = f.name
        p = subprocess.run([cc, "-fsyntax-only", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                            "-Wno-unused-function", "-Wno-unused-variable", "-Wno-unused-const-variable",
                            "-Wno-unused-macros", "-D_GNU_SOURCE", "-DEXAMFLOW_NO_MAIN", "-I", INC, path],
                           capture_output=True, text=True, timeout=120)
        t.check(p.returncode == 0, "Windows: sections 1..%s (up to '%s') do not compile alone:\n%s"
                % (num, title, p.stderr[-3000:]))
