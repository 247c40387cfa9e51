"""Deliberate breakages of the generated backend's ownership guarantees, and what catches each.

Each breakage is applied to a fresh clone of this repository (your tree is never touched); then
`specgen fuzz` (schemathesis, 60 s) and `specgen features` run against it.

    python bench/breakages.py
"""

import pathlib
import re
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
PY = sys.executable
MUTATIONS = {
    "get-unscoped": (
        "runtime/specgen_runtime/repository.py",
        "    def get(self, key: Any) -> P:\n        with _database_errors(self.session, self.meta):\n            return self._public(self._row(key))",
        "    def get(self, key: Any) -> P:\n        with _database_errors(self.session, self.meta):\n            row = self.session.execute(select(self.table).where(self._pk == key)).scalar_one_or_none()\n            if row is None:\n                raise NotFound()\n            return self._public(row)",
    ),
    "list-unscoped": (
        "runtime/specgen_runtime/repository.py",
        "page = self._scoped(select(self.table).where(*conditions))",
        "page = (select(self.table).where(*conditions))",
    ),
    "update-unscoped": (
        "runtime/specgen_runtime/repository.py",
        "stmt = self._scoped(update(self.table).where(self._pk == key))",
        "stmt = (update(self.table).where(self._pk == key))",
    ),
    "fk-owner-unchecked": (
        "runtime/specgen_runtime/repository.py",
        "                stmt = stmt.where(getattr(fk.target, fk.target_owner_field) == self.owners.get(fk.target_owner_claim))",
        "                pass",
    ),
}
ROOT = pathlib.Path(tempfile.mkdtemp(prefix="specgen-breakages-")) / "repo"
subprocess.run(["git", "clone", "-q", str(REPO), str(ROOT)], check=True)  # noqa: S607
for name, (rel, old, new) in MUTATIONS.items():
    path = ROOT / rel
    original = path.read_text()
    assert old in original, name
    path.write_text(original.replace(old, new, 1))
    try:
        fuzz = subprocess.run(
            [PY, "-m", "generator", "fuzz", "--project", str(ROOT), "--time", "60"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        feats = subprocess.run(
            [PY, "-m", "generator", "features", "--project", str(ROOT)], cwd=ROOT, capture_output=True, text=True
        )
        codes = sorted(set(re.findall(r"- (ST\d+ [^\n]+)", fuzz.stdout)))
        failed = [line for line in feats.stderr.splitlines() if line.startswith("FAIL ")]
        print(f"== {name}: fuzz rc={fuzz.returncode} {codes}; features rc={feats.returncode} {feats.stdout.strip()}")
        for line in failed:
            print("   ", line[:200])
        sys.stdout.flush()
    finally:
        path.write_text(original)
