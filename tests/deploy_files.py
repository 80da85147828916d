#!/usr/bin/env python3
"""The deployment files that live in README.md as copy-paste blocks.

README "Deploy on Render" holds the Dockerfile and render.yaml, each between
`<!-- file: NAME -->` and `<!-- /file -->` around one fenced block; the
repository's top level stays as it is, and these blocks are the files users
save.  `make image` and tests/e2e_deploy.py read them from here, so the
README cannot drift from what is built and tested.

    python3 tests/deploy_files.py show NAME            print one file
    python3 tests/deploy_files.py context DIR BIN CA   a build context for the
                                                       Dockerfile's final stage

`context` writes DIR/Containerfile, the Dockerfile's last stage (from its
last FROM) with every `COPY --from=build /out/X` turned into `COPY out/X`,
and DIR/out/ laid out as the build stage leaves /out: root/ (the binary,
the CA bundle, /tmp 1777) and an empty data/.  The build stage itself
(apt-get, a compiler, BearSSL from Debian's mirror) needs a base image from a
registry; the final stage needs nothing but these files, so it builds
offline from the host's own static binary and CA bundle.
"""
import os
import re
import shutil
import sys

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def readme_file(name, readme=README):
    """The text of the fenced block between <!-- file: NAME --> and <!-- /file -->."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- file: %s -->\s*\n```[^\n]*\n(.*?)\n```\s*\n<!-- /file -->" % re.escape(name), text, re.S)
    if not m:
        raise ValueError("README.md has no block <!-- file: %s --> ... <!-- /file -->" % name)
    return m.group(1) + "\n"


def final_stage(dockerfile):
    """The last stage of a multi-stage Dockerfile, COPY --from=build /out/ made local."""
    lines = dockerfile.splitlines()
    starts = [i for i, l in enumerate(lines) if re.match(r"\s*FROM\s", l, re.I)]
    if not starts:
        raise ValueError("Dockerfile has no FROM")
    out = []
    for l in lines[starts[-1]:]:
        if re.match(r"\s*COPY\s.*--from=build\s", l, re.I):
            l = re.sub(r"\s--from=build(?=\s)", "", l)
            l = re.sub(r"\s/out/", " out/", l)
        out.append(l)
    return "\n".join(out) + "\n"


def make_context(d, binary, ca):
    if os.path.exists(d):
        shutil.rmtree(d)
    root = os.path.join(d, "out", "root")
    os.makedirs(os.path.join(root, "etc", "ssl", "certs"))
    os.makedirs(os.path.join(d, "out", "data"))
    os.mkdir(os.path.join(root, "tmp"))
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy(binary, os.path.join(root, "examflow"))
    os.chmod(os.path.join(root, "examflow"), 0o755)
    bundle = os.path.join(root, "etc", "ssl", "certs", "ca-certificates.crt")
    shutil.copy(ca, bundle)
    os.chmod(bundle, 0o644)
    with open(os.path.join(d, "Containerfile"), "w") as f:
        f.write(final_stage(readme_file("Dockerfile")))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "show":
        sys.stdout.write(readme_file(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "context":
        make_context(*sys.argv[2:])
    else:
        sys.exit("usage: deploy_files.py show NAME | context DIR BINARY CA_BUNDLE")
