"""Tests of tools/hvrun and of the harness itself; none needs build/hv.efi.

Most check what the launcher builds (QEMU command line, configuration, ESP
layout) with --dry-run; two boot OVMF for real through the shell path, with
a stand-in for hv.efi, to check the verdict mapping end to end and that QEMU's
view of the machine (QMP query-pci) has the igb behind its root port.
"""
import re
import shlex
import subprocess
import sys

import pytest

from harness import HVRUN, REPO_ROOT, hvrun_args, parse_log_line

sys.path.insert(0, str(REPO_ROOT / "tools"))
from hvlib import config, verdict  # noqa: E402

IGB_VENDOR, IGB_DEVICE = 0x8086, 0x10C9
PCI_CLASS_BRIDGE_PCI = 0x0604

CONFIG = """\
# test configuration
version = 1

[hypervisor]
mode = run                       # run | check
log_level = info

[sriov]
vfs = 0
"""


@pytest.fixture
def not_efi(tmp_path):
    """Something in hv.efi's place that the firmware refuses to load."""
    path = tmp_path / "not-an-image.efi"
    path.write_bytes(b"this is not a PE image\n")
    return path


def hvrun(*args, **kwargs):
    return subprocess.run([str(HVRUN)] + [str(a) for a in args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, **kwargs)


def dry_run(not_efi, *args):
    r = hvrun("--dry-run", "--efi", not_efi, "--config", "none", *args)
    assert r.returncode == 0, r.stderr
    return shlex.split(r.stdout)


def values_of(argv, option):
    return [argv[i + 1] for i, a in enumerate(argv) if a == option]


def esp_listing(image):
    r = subprocess.run(["mdir", "-/", "-b", "-i", str(image), "::/"], capture_output=True,
                       text=True, env={"MTOOLS_SKIP_CHECK": "1"}, check=True)
    return sorted(p.lstrip(":").lower() for p in r.stdout.split() if not p.endswith("/"))


def esp_read(image, path):
    r = subprocess.run(["mtype", "-i", str(image), "::/" + path], capture_output=True,
                       env={"MTOOLS_SKIP_CHECK": "1"}, check=True)
    return r.stdout


# ---- command line ------------------------------------------------------

def test_machine_basics(not_efi):
    argv = dry_run(not_efi)
    joined = " ".join(argv)
    assert "-machine q35 -accel tcg -cpu max -smp 4 -m 2G -nodefaults" in joined
    assert "-no-reboot" in argv and values_of(argv, "-display") == ["none"]
    assert "isa-debug-exit,iobase=0xf4,iosize=0x04" in values_of(argv, "-device")
    assert "readonly=on" in values_of(argv, "-drive")[0]
    assert values_of(argv, "-chardev") == ["stdio,id=ser0,signal=off"]


def test_iommu_is_the_first_device(not_efi):
    assert values_of(dry_run(not_efi), "-device")[0] == "intel-iommu,intremap=on"


def test_no_iommu_leaves_it_out(not_efi):
    devices = values_of(dry_run(not_efi, "--no-iommu"), "-device")
    assert not [d for d in devices if d.startswith("intel-iommu")]


def test_each_nic_behind_its_own_root_port(not_efi):
    devices = values_of(dry_run(not_efi, "--nics", 2), "-device")
    ports = [d for d in devices if d.startswith("pcie-root-port")]
    nics = [d for d in devices if d.startswith("igb")]
    assert ports == ["pcie-root-port,id=rp0,chassis=1,slot=1",
                     "pcie-root-port,id=rp1,chassis=2,slot=2"]
    assert nics == ["igb,bus=rp0,netdev=n0,mac=52:54:00:12:34:56",
                    "igb,bus=rp1,netdev=n1,mac=52:54:00:12:34:57"]


def test_no_nics(not_efi):
    argv = dry_run(not_efi, "--nics", 0)
    assert not values_of(argv, "-netdev")
    assert not [d for d in values_of(argv, "-device") if d.startswith(("igb", "pcie-root"))]


def test_net_backends(not_efi, tmp_path):
    argv = dry_run(not_efi, "--nics", 4, "--net", "stream:%s/s.sock" % tmp_path,
                   "--net-extra", "dgram:%s/l:%s/r" % (tmp_path, tmp_path),
                   "--net-extra", "none", "--pcap", tmp_path / "n0.pcap")
    assert values_of(argv, "-netdev") == [
        "stream,id=n0,addr.type=unix,addr.path=%s/s.sock,server=off" % tmp_path,
        "dgram,id=n1,local.type=unix,local.path=%s/l,remote.type=unix,remote.path=%s/r"
        % (tmp_path, tmp_path),
        "hubport,id=n2,hubid=2",
        "user,id=n3"]
    assert values_of(argv, "-object") == [
        "filter-dump,id=pcap0,netdev=n0,file=%s/n0.pcap" % tmp_path]


def test_observation_options(not_efi, tmp_path):
    argv = dry_run(not_efi, "--qmp", tmp_path / "q.sock", "--serial-log", tmp_path / "s.log",
                   "--trace", "vtd_*", "--trace", "igb_*", "--trace-log", tmp_path / "t.log",
                   "--smp", 2, "--mem", "512M", "--", "-S", "-d", "guest_errors")
    assert values_of(argv, "-qmp") == ["unix:%s/q.sock,server=on,wait=off" % tmp_path]
    assert values_of(argv, "-chardev") == [
        "stdio,id=ser0,signal=off,logfile=%s/s.log,logappend=off" % tmp_path]
    assert values_of(argv, "-trace") == ["enable=vtd_*", "enable=igb_*"]
    assert values_of(argv, "-D") == ["%s/t.log" % tmp_path]
    assert argv[-3:] == ["-S", "-d", "guest_errors"]
    assert values_of(argv, "-smp") == ["2"] and values_of(argv, "-m") == ["512M"]


def test_console_puts_the_monitor_on_the_serial_chardev(not_efi):
    argv = dry_run(not_efi, "--console")
    assert values_of(argv, "-chardev") == ["stdio,id=ser0,signal=off,mux=on"]
    assert values_of(argv, "-mon") == ["chardev=ser0,mode=readline"]


@pytest.mark.parametrize("args", [
    ["--nics", "x"], ["--net", "tcp:1"], ["--pcap", "x", "--nics", "0"], ["--set", "novalue"],
    ["stray"], ["--nics", "2", "--net-extra", "user", "--net-extra", "user"]])
def test_usage_errors_exit_6_with_a_summary(not_efi, args):
    r = hvrun("--efi", not_efi, "--config", "none", *args)
    assert r.returncode == 6
    assert r.stderr.splitlines()[-1] == "hvrun: verdict=qemu-error qemu_status=-1"


def test_missing_hypervisor_image_is_named(tmp_path):
    r = hvrun("--efi", tmp_path / "nothing.efi", "--config", "none")
    assert r.returncode == 6 and "nothing.efi" in r.stderr


# ---- configuration and ESP ----------------------------------------------

def test_set_rewrites_only_what_it_names(not_efi, tmp_path):
    cfg = tmp_path / "in.cfg"
    cfg.write_text(CONFIG)
    work = tmp_path / "work"
    hvrun("--dry-run", "--efi", not_efi, "--config", cfg, "--workdir", work,
          "--set", "hypervisor.mode=check", "--set", "hypervisor.heap_mb=128",
          "--set", "partition parent.cpus=0", "--vfs", 3).check_returncode()
    expected = CONFIG.replace("mode = run                       # run",
                              "mode = check                     # run")
    expected = expected.replace("log_level = info\n", "log_level = info\nheap_mb = 128\n")
    expected = expected.replace("vfs = 0\n", "vfs = 3\n") + "\n[partition parent]\ncpus = 0\n"
    assert (work / "hv.cfg").read_text() == expected
    assert esp_read(work / "esp.img", "EFI/BOOT/hv.cfg") == expected.encode()
    assert cfg.read_text() == CONFIG


def test_config_edits_keep_everything_else():
    crlf = "a = 1\r\n[s]\r\nk=1 ; note\r\n"
    assert config.apply_set(crlf, "s.k=22") == "a = 1\r\n[s]\r\nk=22 ; note\r\n"
    assert config.apply_set(crlf, "s.j=2") == "a = 1\r\n[s]\r\nk=1 ; note\r\nj = 2\r\n"
    assert config.apply_set("[s]\nk = 1", "t.k=2") == "[s]\nk = 1\n\n[t]\nk = 2\n"
    assert config.apply_set("# c\n[s]\n", "top=1") == "# c\ntop = 1\n[s]\n"
    assert config.apply_set("[a  b]\nk = 1\n", "a b.k=2") == "[a  b]\nk = 2\n"


@pytest.mark.parametrize("text, assignment", [("[s]\nk=1\n[s]\n", "s.k=2"),
                                              ("[s]\nk=1\nk=2\n", "s.k=3"),
                                              ("", "s.bad key=1")])
def test_config_ambiguity_is_refused(text, assignment):
    with pytest.raises(config.ConfigError):
        config.apply_set(text, assignment)


def test_direct_boot_layout(not_efi, tmp_path):
    hvrun("--dry-run", "--efi", not_efi, "--workdir", tmp_path).check_returncode()
    assert esp_listing(tmp_path / "esp.img") == [
        "/efi/boot/bootx64.efi", "/efi/boot/hv.cfg", "/startup.nsh"]
    assert esp_read(tmp_path / "esp.img", "EFI/BOOT/BOOTX64.EFI") == not_efi.read_bytes()
    assert esp_read(tmp_path / "esp.img", "startup.nsh").endswith(b"reset -s\r\n")


def test_shell_boot_layout(not_efi, tmp_path):
    extra = tmp_path / "guest.elf"
    extra.write_bytes(b"\x7fELF")
    work = tmp_path / "work"
    hvrun("--dry-run", "--efi", not_efi, "--workdir", work, "--hv-args", "check sriov.vfs=2",
          "--esp-file", "%s:guests/child.elf" % extra, "--esp-file", "%s:/top.bin" % extra
          ).check_returncode()
    image = work / "esp.img"
    assert esp_listing(image) == ["/efi/hv/guests/child.elf", "/efi/hv/hv.cfg",
                                  "/efi/hv/hv.efi", "/efi/hv/hv.nsh", "/startup.nsh",
                                  "/top.bin"]
    startup = esp_read(image, "startup.nsh").decode().split("\r\n")
    assert startup[:2] == ["fs0:", "\\EFI\\hv\\hv.nsh"] and startup[-2] == "reset -s"
    assert esp_read(image, "EFI/hv/hv.nsh") == b"\\EFI\\hv\\hv.efi check sriov.vfs=2\r\n"


# ---- harness pieces -----------------------------------------------------

def test_log_line_parsing():
    r = parse_log_line('[    1.234567] cpu3 W pci: bar too big bdf=01:00.0 '
                       'size=0x20000 name="igb \\"pf\\"" empty=')
    assert (r.time, r.cpu, r.level, r.subsys) == (1.234567, 3, "W", "pci")
    assert r.message == "bar too big"
    assert r.fields == {"bdf": "01:00.0", "size": "0x20000", "name": 'igb "pf"', "empty": ""}
    assert parse_log_line("BdsDxe: loading Boot0001") is None


def test_option_conversion():
    assert hvrun_args({"smp": 2, "no_iommu": True, "console": False, "set": {"a.b": 1},
                       "trace": ["x", "y"], "qemu_args": ["-S"]}) == [
        "--smp", "2", "--no-iommu", "--set", "a.b=1", "--trace", "x", "--trace", "y",
        "--", "-S"]


def test_verdict_table():
    assert [verdict.from_qemu_status(s).status for s in (33, 35, 37, 39, 0, 1, 41, -9)] == [
        0, 2, 3, 4, 5, 6, 6, 6]


# ---- real boots (OVMF under TCG, a few seconds each) --------------------

def test_shell_boot_no_verdict_and_qmp_view(machine, not_efi, tmp_path):
    # hv.nsh pauses until a key arrives on the serial port: the machine stays
    # up, with PCI enumerated by OVMF, exactly as long as the test needs.
    pause = tmp_path / "pause.nsh"
    pause.write_bytes(b"pause\r\n\\EFI\\hv\\hv.efi a b\r\n")
    m = machine(efi=not_efi, config="none", hv_args="a b", smp=1, timeout=60,
                esp_file=["%s:hv.nsh" % pause])
    m.wait_for(r"UEFI Interactive Shell")
    m.wait_for(r"Enter 'q' to quit, any other key to continue", partial=True)
    ports = [d for bus in m.qmp("query-pci") for d in bus["devices"]
             if d["class_info"]["class"] == PCI_CLASS_BRIDGE_PCI and "pci_bridge" in d]
    behind = [d for p in ports for d in p["pci_bridge"].get("devices", [])]
    igb = [d for d in behind if (d["id"]["vendor"], d["id"]["device"]) == (IGB_VENDOR, IGB_DEVICE)]
    assert len(igb) == 1 and igb[0]["bus"] >= 1, behind
    m.send(" ")
    m.wait_for(r"hv\.efi did not start or returned")
    assert m.wait_exit(30) == (5, "no-verdict")
    assert b"UEFI Interactive Shell" in m.serial_log.read_bytes()


def test_verdict_reaches_the_exit_status(machine, not_efi, tmp_path):
    # The shell's mm writes the config-error verdict (0x12) to isa-debug-exit.
    write = tmp_path / "verdict.nsh"
    write.write_bytes(b"mm f4 12 -IO -w 4 -n\r\n")
    m = machine(efi=not_efi, config="none", hv_args="", smp=1, timeout=60,
                esp_file=["%s:hv.nsh" % write])
    assert m.wait_exit(60) == (3, "config-error")
    assert any(re.search(r"mm f4 12", line) for line in m.serial())


def test_timeout_kills_qemu(machine, not_efi):
    m = machine(efi=not_efi, config="none", timeout=1, qemu_args=["-S"])
    assert m.wait_exit(30) == (124, "timeout")
