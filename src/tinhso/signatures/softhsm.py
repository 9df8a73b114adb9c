"""SoftHSM2 for the test and demo PKI: a token directory, its softhsm2.conf, tokens.

SoftHSM reads the file named by ``SOFTHSM2_CONF`` when the library is initialised, and
python-pkcs11 initialises a module once per process and caches it (``pkcs11.lib(path)``).
A token initialised by another process (``softhsm2-util``) after that is not seen until the
library is finalised and initialised again, which closes every session of the process.
Hence the rules this module enforces:

- one softhsm2.conf per process: `ensure_softhsm_conf` sets ``SOFTHSM2_CONF`` before the
  library is first loaded and refuses another configuration afterwards (several PKIs in one
  process share one token directory, with one token each or one token between them);
- `token_init` initialises a token with ``softhsm2-util --init-token --free``; when the
  library is already loaded it is re-initialised so that the new token appears
  (`tinhso.signatures.keys.pkcs11_refresh`, refused while a session is open).

Tokens are initialised by the test set-up itself (issue 5, §5). The PINs given to
softhsm2-util appear on its command line: acceptable for a test token, never for a real one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Final

#: Debian's SoftHSM2 module (package softhsm2).
SOFTHSM_MODULE: Final = "/usr/lib/softhsm/libsofthsm2.so"
CONF_NAME: Final = "softhsm2.conf"
TOKENS_DIR: Final = "tokens"
ENV_VAR: Final = "SOFTHSM2_CONF"
#: PKCS#11 v2.40 §3.2: a token label is 32 bytes, blank-padded.
TOKEN_LABEL_MAX: Final = 32

_LABEL_LINE = re.compile(r"^\s+Label:\s*(.*?)\s*$")


class SoftHsmError(RuntimeError):
    """SoftHSM2 could not be set up (tool missing, token initialisation failed, …)."""


class SoftHsmConfConflict(SoftHsmError):
    """The process already loaded SoftHSM2 with another softhsm2.conf."""


#: The softhsm2.conf this process committed to, set by `ensure_softhsm_conf`.
_committed_conf: Path | None = None


def softhsm_conf_create(directory: Path) -> Path:
    """Create ``directory/tokens`` and ``directory/softhsm2.conf`` (idempotent); return the conf.

    tinhso loads the module lazily, at the first signature, so a forking server (gunicorn)
    loads it in each worker, never in the master.
    """
    directory = directory.resolve()
    tokens = directory / TOKENS_DIR
    tokens.mkdir(parents=True, exist_ok=True, mode=0o700)
    conf = directory / CONF_NAME
    text = (
        "# SoftHSM2 configuration of a tinhso test/demo PKI (written by tinhso.signatures.softhsm)\n"
        f"directories.tokendir = {tokens}/\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n"
        "slots.mechanisms = ALL\n"
    )
    if not conf.exists() or conf.read_text(encoding="utf-8") != text:
        conf.write_text(text, encoding="utf-8")
        conf.chmod(0o600)
    return conf


def ensure_softhsm_conf(conf: Path) -> None:
    """Make `conf` the SoftHSM2 configuration of this process, before the library is loaded.

    Raises `SoftHsmConfConflict` when the library was already loaded with another file: SoftHSM
    cannot switch configuration while sessions may be open.
    """
    global _committed_conf
    conf = Path(conf).resolve()
    if not conf.is_file():
        raise SoftHsmError(f"SoftHSM2 configuration not found: {conf}")
    if _committed_conf == conf:
        return
    if _committed_conf is not None or _module_loaded():
        active = _committed_conf or Path(os.environ.get(ENV_VAR, "/etc/softhsm/softhsm2.conf"))
        if active.resolve() == conf:
            _committed_conf = conf
            return
        raise SoftHsmConfConflict(
            f"SoftHSM2 is already loaded in this process with {active}; it reads its "
            f"configuration once per process, so {conf} cannot be used here. Share one token "
            "directory between the PKIs of a process (build_test_pki(softhsm_conf=...))."
        )
    os.environ[ENV_VAR] = str(conf)
    _committed_conf = conf


def active_softhsm_conf() -> Path | None:
    """The softhsm2.conf this process committed to, if any."""
    return _committed_conf


def _module_loaded() -> bool:
    import pkcs11

    loaded: dict[str, object] = getattr(pkcs11, "_loaded", {})
    return any("softhsm" in path for path in loaded)


def _util() -> str:
    found = shutil.which("softhsm2-util") or "/usr/bin/softhsm2-util"
    if not Path(found).exists():
        raise SoftHsmError("softhsm2-util not found: install the softhsm2 package")
    return found


def _run(conf: Path, *args: str) -> str:
    env = {**os.environ, ENV_VAR: str(Path(conf).resolve())}
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments are not shell-parsed
        [_util(), *args], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    if result.returncode != 0:
        # softhsm2-util never echoes the PINs it was given: its output is safe to report.
        raise SoftHsmError(
            f"softhsm2-util {args[0]} failed ({result.returncode}): "
            f"{(result.stderr or result.stdout).strip()}"
        )
    return result.stdout


def token_labels(conf: Path) -> list[str]:
    """Labels of the initialised tokens in the token directory of `conf`."""
    labels = []
    for line in _run(conf, "--show-slots").splitlines():
        match = _LABEL_LINE.match(line)
        if match and match.group(1):
            labels.append(match.group(1))
    return labels


def token_init(conf: Path, *, label: str, user_pin: str, so_pin: str) -> bool:
    """Initialise a token `label` in the first free slot; False when it already exists.

    The PINs must be 4 to 255 characters (SoftHSM2's limits).
    """
    if not label or len(label.encode("utf-8")) > TOKEN_LABEL_MAX:
        raise SoftHsmError(f"A token label is 1 to {TOKEN_LABEL_MAX} bytes: {label!r}")
    for pin in (user_pin, so_pin):
        if not 4 <= len(pin) <= 255:
            raise SoftHsmError("A SoftHSM2 PIN is 4 to 255 characters long.")
    if label in token_labels(conf):
        return False
    _run(
        conf,
        "--init-token",
        "--free",
        "--label",
        label,
        "--pin",
        user_pin,
        "--so-pin",
        so_pin,
    )
    return True
