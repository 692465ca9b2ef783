"""hvrun's top level: options -> work directory -> ESP -> QEMU -> verdict.

Every path out of a run (verdict, timeout, signal, launcher error) ends with
the same summary line on stderr, so a caller never has to guess which of them
happened.
"""
import os
import shutil
import stat
import sys
import tempfile
import time

from . import config, esp, options, qemu, runner, verdict


class LaunchError(Exception):
    """The launcher cannot prepare the run; the message says what is missing."""


def _err(message):
    print("hvrun: " + message, file=sys.stderr, flush=True)


class WorkDir:
    """The run's files: given and kept, or temporary and removed unless --keep."""

    def __init__(self, path, keep):
        self.temporary = path is None
        self.keep = keep or not self.temporary
        self.path = tempfile.mkdtemp(prefix="hvrun-") if self.temporary else path
        os.makedirs(self.path, exist_ok=True)

    def file(self, name):
        return os.path.join(self.path, name)

    def close(self):
        if self.keep:
            if self.temporary:
                _err("work directory kept: " + self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def _config_data(opts):
    """The configuration's bytes as they go onto the ESP, or None."""
    if opts.config is None:
        return None
    if not os.path.isfile(opts.config):
        raise LaunchError("no configuration at %s (--config FILE, or --config none)"
                          % opts.config)
    sets = list(opts.sets)
    if opts.vfs is not None:
        sets.append("sriov.vfs=%d" % opts.vfs)
    try:
        return config.encode(config.apply_sets(config.read_text(opts.config), sets))
    except config.ConfigError as e:
        raise LaunchError(str(e))


def _warn_unready_peers(opts):
    # QEMU's stream client connects once, at start-up, and never retries.
    for backend in ([opts.net] + list(opts.net_extra))[:opts.nics]:
        path = backend.paths[0] if backend.kind == "stream" else None
        if path and not (os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode)):
            _err("warning: no socket at %s yet: that NIC stays unconnected "
                 "(start the peer before hvrun)" % path)


def _check_inputs(opts):
    if not os.path.isfile(opts.efi):
        raise LaunchError("no hypervisor image at %s (run make, or give --efi)" % opts.efi)
    for fw in (qemu.OVMF_CODE, qemu.OVMF_VARS):
        if not os.path.isfile(fw):
            raise LaunchError("no OVMF image at %s (install ovmf: make setup)" % fw)
    if opts.hv_args is not None and not opts.hv_args.isascii():
        raise LaunchError("--hv-args: startup.nsh takes ASCII only")


def _guest_images(opts):
    """The guests built next to hv.efi (build/guests/*.elf), as guests/NAME on the ESP.

    Configurations name them relative to their own directory
    (image = guests/parent.elf); --esp-file entries given later replace them.
    """
    guests = os.path.join(os.path.dirname(os.path.abspath(opts.efi)), "guests")
    if not os.path.isdir(guests):
        return []
    return [(os.path.join(guests, name), "guests/" + name)
            for name in sorted(os.listdir(guests)) if name.endswith(".elf")]


def _prepare_disk(opts, work):
    """--disk: the given image as it is, with a private OVMF variable store."""
    if not os.path.isfile(opts.disk):
        raise LaunchError("no disk image at %s (make image builds build/hv-usb.img)"
                          % opts.disk)
    paths = qemu.Paths(esp=opts.disk, vars=work.file("OVMF_VARS.fd"), snapshot=True)
    shutil.copyfile(qemu.OVMF_VARS, paths.vars)
    return qemu.command(opts, paths)


def prepare(opts, work):
    """Build the ESP and the private OVMF variable store; returns QEMU's argv."""
    if opts.disk:
        return _prepare_disk(opts, work)
    _check_inputs(opts)
    _warn_unready_peers(opts)
    files = esp.layout(opts.efi, _config_data(opts), opts.hv_args,
                       _guest_images(opts) + list(opts.esp_files))
    paths = qemu.Paths(esp=work.file("esp.img"), vars=work.file("OVMF_VARS.fd"))
    try:
        esp.build(paths.esp, files, work.path)
    except esp.EspError as e:
        raise LaunchError(str(e))
    shutil.copyfile(qemu.OVMF_VARS, paths.vars)
    return qemu.command(opts, paths)


def _launch(opts, work):
    argv = prepare(opts, work)
    if opts.dry_run:
        print(qemu.printable(argv), flush=True)
        return None
    _err("starting: " + qemu.printable(argv))
    started = time.monotonic()
    result = runner.run(argv, opts.console, opts.timeout)
    _err("qemu ran for %.1f s" % (time.monotonic() - started))
    return result


def _run(argv):
    """(Verdict, QEMU status), or None for --dry-run."""
    try:
        opts = options.parse(argv)
    except options.UsageError as e:
        _err("error: %s (see hvrun --help)" % e)
        return verdict.QEMU_ERROR, -1
    work = None
    try:
        work = WorkDir(opts.workdir, opts.keep)
        return _launch(opts, work)
    except (LaunchError, OSError) as e:
        _err("error: %s" % e)
        return verdict.QEMU_ERROR, -1
    except runner.Interrupted:
        return verdict.INTERRUPTED, -1
    finally:
        if work is not None:
            work.close()


def main(argv):
    runner.install_signal_handlers()
    result = _run(argv)
    if result is None:
        return 0
    v, status = result
    print(verdict.summary_line(v, status), file=sys.stderr, flush=True)
    return v.status
