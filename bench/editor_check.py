"""Run real editors headless against ``dfcheck server`` and print what each one received.

    .venv/bin/python bench/editor_check.py            # every editor found on the PATH
    .venv/bin/python bench/editor_check.py --editor emacs

A manual check of docs/editors.md, not a test: editors are not part of the test environment, and
their timing under load is theirs. For each editor found (``nvim``, ``emacs`` with eglot), a small
Node project is written to a temporary directory, the editor opens its Dockerfile with the
server's directory first on the PATH, and a script in the editor's own language waits for the
diagnostics, asks for a hover and for the code actions at ``MAINTAINER``, applies "Ignore DF801 for
this instruction", waits for the new diagnostics and opens the ``.dockerignore``. Emacs evaluates
the eglot snippet of docs/editors.md as written; Neovim uses ``vim.lsp.start_client``, which every
version since 0.7 has (the documented ``vim.lsp.config`` needs 0.11). Exit code 1 when an editor
did not see what it should.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = "FROM node:latest\nMAINTAINER me\nWORKDIR /app\nCOPY . .\nRUN npm install\n"
EXPECTED = ["DF702", "DF801", "DF101", "DF118"]

NVIM = r"""
local out = {}
local function say(s) table.insert(out, s) end
local id = vim.lsp.start_client({ name = 'dfcheck', cmd = { 'dfcheck', 'server' }, root_dir = vim.fn.getcwd(),
  init_options = { debounce = 50 } })
vim.cmd('edit Dockerfile')
vim.bo.filetype = 'dockerfile'
vim.lsp.buf_attach_client(0, id)
local function codes()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(found, d.code) end
  table.sort(found)
  return table.concat(found, ' ')
end
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 20)
say('diagnostics: ' .. codes())
local client = vim.lsp.get_client_by_id(id)
local doc = { uri = vim.uri_from_bufnr(0) }
local hover = client.request_sync('textDocument/hover', { textDocument = doc, position = { line = 4, character = 1 } }, 10000, 0)
say('hover: ' .. hover.result.contents.value:match('[^\n]*'))
local here = { line = 1, character = 0 }
local actions = client.request_sync('textDocument/codeAction', { textDocument = doc, range = { start = here, ['end'] = here },
  context = { diagnostics = {} } }, 10000, 0).result
for _, a in ipairs(actions) do
  say('action: ' .. a.title)
  if a.title == 'Ignore DF801 for this instruction' then vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding) end
end
vim.wait(30000, function() return not codes():find('DF801') end, 20)
say('after the ignore comment: ' .. codes())
vim.cmd('edit .dockerignore')
vim.lsp.buf_attach_client(0, id)
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 20)
say('.dockerignore: ' .. codes())
client.stop()
vim.fn.writefile(out, 'result.txt')
vim.cmd('qa!')
"""

EMACS = r"""
(require 'eglot)
(require 'dockerfile-mode)
(defun dfcheck-say (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defun dfcheck-codes ()
  (string-join (sort (mapcar (lambda (d) (replace-regexp-in-string "^.*\\[\\(.*\\)\\].*$" "\\1" (flymake-diagnostic-text d)))
                             (flymake-diagnostics)) #'string<) " "))
(defun dfcheck-wait (test)
  (let ((tries 0)) (while (and (< tries 600) (not (funcall test))) (accept-process-output nil 0.05) (setq tries (1+ tries)))))
(find-file "Dockerfile")
(apply #'eglot (eglot--guess-contact))
(dfcheck-wait (lambda () (flymake-diagnostics)))
(dfcheck-say "diagnostics: %s" (dfcheck-codes))
(let* ((server (eglot-current-server))
       (hover (jsonrpc-request server :textDocument/hover
                               (list :textDocument (eglot--TextDocumentIdentifier) :position (list :line 4 :character 1))))
       (here (list :line 1 :character 0))
       (actions (jsonrpc-request server :textDocument/codeAction
                                 (list :textDocument (eglot--TextDocumentIdentifier) :range (list :start here :end here)
                                       :context (list :diagnostics [])))))
  (dfcheck-say "hover: %s" (car (split-string (plist-get (plist-get hover :contents) :value) "\n")))
  (seq-doseq (a actions)
    (dfcheck-say "action: %s" (plist-get a :title))
    (when (string= (plist-get a :title) "Ignore DF801 for this instruction")
      (eglot--apply-workspace-edit (plist-get a :edit)))))
(eglot--signal-textDocument/didChange)
(dfcheck-wait (lambda () (not (string-match-p "DF801" (dfcheck-codes)))))
(dfcheck-say "after the ignore comment: %s" (dfcheck-codes))
(eglot-shutdown (eglot-current-server))
"""


def _project(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "package.json").write_text("{}")
    (root / "app.js").write_text("")
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / ".dockerignore").write_text("missing-dir\n[z-\n")
    (root / "pyproject.toml").write_text(f"[tool.dfcheck]\nselect = {json.dumps(EXPECTED)}\n")


def _documented_eglot() -> str:
    """The elisp block of docs/editors.md, evaluated as a user would paste it."""
    text = (REPO / "docs" / "editors.md").read_text(encoding="utf-8")
    match = re.search(r"```elisp\n(.*?)```", text, re.S)
    assert match, "docs/editors.md has no elisp block"
    return match.group(1)


def run(editor: str, env: dict[str, str]) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _project(root)
        if editor == "nvim":
            (root / "check.lua").write_text(NVIM)
            subprocess.run(
                ["nvim", "--headless", "--clean", "-u", "check.lua"],
                cwd=root,
                env=env,
                timeout=180,
                check=False,
            )
            result = root / "result.txt"
            return result.read_text().splitlines() if result.is_file() else ["no result"]
        (root / "check.el").write_text(_documented_eglot() + EMACS)
        done = subprocess.run(
            ["emacs", "--batch", "-l", "check.el"],
            cwd=root,
            env=env,
            timeout=180,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.splitlines() or done.stderr.splitlines()[-5:]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--editor", choices=("nvim", "emacs"), action="append")
    args = parser.parse_args()
    server = shutil.which("dfcheck", path=os.path.dirname(sys.executable)) or shutil.which("dfcheck")
    if server is None:
        print("editor_check: no dfcheck command beside this Python or on the PATH", file=sys.stderr)
        return 2
    env = {**os.environ, "PATH": os.path.dirname(server) + os.pathsep + os.environ.get("PATH", "")}
    failed = False
    for editor in args.editor or ("nvim", "emacs"):
        if shutil.which(editor) is None:
            print(f"{editor}: not installed, skipped")
            continue
        lines = run(editor, env)
        print(f"{editor}:")
        print("\n".join(f"  {line}" for line in lines))
        wanted = f"diagnostics: {' '.join(sorted(EXPECTED))}"
        if wanted not in lines or not any(
            line.startswith("after the ignore comment:") and "DF801" not in line for line in lines
        ):
            print(f"  FAILED: expected '{wanted}' and DF801 gone after the ignore comment")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
