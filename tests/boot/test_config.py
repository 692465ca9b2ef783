"""The configuration on the ESP: loaded by hv.efi, refused by the core with
the field named, images named in it loaded from the ESP."""
from harness import REPO_ROOT
from inventory import RUNNING, one, records

GUESTS = REPO_ROOT / "build" / "guests"


def refusal(m):
    found = [r.fields for r in records(m, "config") if r.message == "refused"]
    assert found, "no refusal logged"
    return found[0]


def test_bad_value_refused_naming_the_field(machine):
    m = machine(set={"hypervisor.heap_mb": "5"})
    assert m.wait_exit(timeout=120) == (3, "config-error")
    r = refusal(m)
    assert r["field"] == "hypervisor.heap_mb"
    assert int(r["line"]) > 0
    assert "16..1024" in r["reason"]


def test_bad_load_option_refused(machine):
    m = machine(hv_args="hypervisor.mode=fast")
    assert m.wait_exit(timeout=120) == (3, "config-error")
    assert refusal(m)["field"] == "hypervisor.mode"


def test_missing_configuration_uses_defaults(machine):
    m = machine(config="none")
    assert m.wait_exit(timeout=120) == (0, "ok")
    m.wait_for(r"config: no configuration file found, using defaults", since=0)
    assert one(m, "config", "loaded")["mode"] == "run"


def test_sriov_request_checked_against_total_vfs(machine):
    m = machine(vfs=9)
    assert m.wait_exit(timeout=120) == (3, "config-error")
    assert "total_vfs=8" in refusal(m)["reason"]


def test_sriov_request_within_total_vfs_accepted(machine):
    m = machine(vfs=7)
    m.wait_for(RUNNING, timeout=120)
    assert one(m, "config", "loaded")["sriov_vfs"] == "7"


def partition_config(tmp_path, image):
    cfg = tmp_path / "hv.cfg"
    cfg.write_text("\n".join([
        "version = 1",
        "[partition parent]",
        "role = parent",
        "cpus = 0",
        "memory_mb = 64",
        "image = " + image,
        "[partition child1]",
        "cpus = 1",
        "memory_mb = 32",
        "image = guests/child.elf",
        "",
    ]))
    return cfg


def test_images_named_in_the_configuration_are_loaded(machine, tmp_path):
    parent = GUESTS / "parent.elf"
    child = GUESTS / "child.elf"
    m = machine(config=str(partition_config(tmp_path, "renamed-parent.elf")),
                esp_file=["%s:renamed-parent.elf" % parent])
    m.wait_for(RUNNING, timeout=120)
    loaded = {r.fields["name"]: r.fields for r in records(m, "config", "partition")}
    assert loaded["parent"]["image_bytes"] == str(parent.stat().st_size)
    assert loaded["child1"]["image_bytes"] == str(child.stat().st_size)
    assert loaded["parent"]["role"] == "parent"


def test_image_that_is_not_an_elf_refused(machine, tmp_path):
    bogus = tmp_path / "bogus.elf"
    bogus.write_bytes(b"\x7fELF" + bytes(range(256)) * 4)
    m = machine(config=str(partition_config(tmp_path, "bogus.elf")),
                esp_file=["%s:bogus.elf" % bogus])
    assert m.wait_exit(timeout=120) == (3, "config-error")
    assert refusal(m)["field"] == "partition parent.image"


def test_missing_image_refused(machine, tmp_path):
    m = machine(config=str(partition_config(tmp_path, "absent.elf")))
    assert m.wait_exit(timeout=120) == (3, "config-error")
    r = refusal(m)
    assert r["field"] == "partition parent.image"
    assert "absent.elf" in r["reason"]
