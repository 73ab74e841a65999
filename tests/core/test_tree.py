"""RepoTree and TreeBuilder: ordering, lookups, folder spans, object ids and the entries view."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from skillmeat.core.marketplace.tree import (
    SYMLINK_MODE,
    InvalidObjectId,
    RepoTree,
    TreeBuilder,
    TreeEntries,
    TreeEntry,
)

SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "0123456789abcdef" * 4
COMMIT = "c" * 40


def oid(n: int, width: int = 20) -> str:
    """A distinct, valid object id for `n`."""
    return n.to_bytes(width, "big").hex()


def build(*entries: TreeEntry, commit: str = COMMIT) -> RepoTree:
    builder = TreeBuilder()
    for entry in entries:
        builder.add_entry(entry)
    return builder.build(commit)


# The git-order trap: git sorts a folder as if its name ended in "/", so `ls-tree` lists
# "a-c", "a.md", "a", "a/b"; code point order is "a", "a-c", "a.md", "a/b".
TRAP = [
    TreeEntry("a-c", "blob", oid(2), 3),
    TreeEntry("a.md", "blob", oid(3), 4),
    TreeEntry("a", "tree", oid(1), mode="040000"),
    TreeEntry("a/b", "blob", oid(4), 5),
]


# -- ordering, lookups, spans ------------------------------------------------------------------


def test_builder_sorts_git_order_into_code_point_order() -> None:
    tree = build(*TRAP)
    assert list(tree.paths) == ["a", "a-c", "a.md", "a/b"]
    assert len(tree) == 4
    assert [e.path for e in tree.entries] == ["a", "a-c", "a.md", "a/b"]
    # Each path still carries its own columns after the reorder.
    assert {e.path: e for e in tree.entries} == {e.path: e for e in TRAP}


def test_builder_sorts_shuffled_input() -> None:
    paths = ["z", "a/b/c", "a", "a b", "a!", "a/b", "A", "é", "a0", "a/", "_"]
    builder = TreeBuilder()
    for n, path in enumerate(paths):
        builder.add(path, "blob", oid(n), n)
    tree = builder.build(COMMIT)
    assert list(tree.paths) == sorted(paths)
    for n, path in enumerate(paths):
        i = tree.find(path)
        assert i is not None and tree.sha(i) == oid(n) and tree.entry(i).size == n


def test_find_and_get_present_and_absent() -> None:
    tree = build(*TRAP)
    for entry in TRAP:
        i = tree.find(entry.path)
        assert i is not None
        assert tree.paths[i] == entry.path
        assert tree.get(entry.path) == entry
        assert tree.entry(i) == entry
    for absent in ["", "b", "a/", "a/b/c", "a-", "a.m", "a.md/x", "A", "a/c", "zzz", "\x00"]:
        assert tree.find(absent) is None
        assert tree.get(absent) is None


def test_span_covers_exactly_the_folder_contents() -> None:
    tree = build(*TRAP)
    span = tree.span("a")
    assert [tree.paths[i] for i in span] == ["a/b"]
    assert list(tree.span("")) == list(range(4))
    assert len(tree.span("a/b")) == 0  # a file has nothing below it
    assert len(tree.span("a-c")) == 0
    assert len(tree.span("nope")) == 0


def test_span_excludes_siblings_that_share_the_prefix() -> None:
    # Characters on both sides of "/" (0x2F): " " "!" "-" "." below it, "0" right above it.
    names = ["a", "a b", "a!", "a-c", "a.md", "a0", "a/", "a/ x", "a/.hidden", "a/b", "a/b/c",
             "a/z", "a/\uffff", "a0/x", "a-c/x", "b"]  # fmt: skip
    tree = build(*(TreeEntry(p, "blob", oid(n)) for n, p in enumerate(names)))
    inside = [tree.paths[i] for i in tree.span("a")]
    assert inside == sorted(p for p in names if p.startswith("a/"))
    assert [tree.paths[i] for i in tree.span("a/b")] == ["a/b/c"]
    assert [tree.paths[i] for i in tree.span("a-c")] == ["a-c/x"]
    assert list(tree.span("")) == list(range(len(names)))


def test_empty_tree() -> None:
    tree = TreeBuilder().build(COMMIT)
    assert len(tree) == 0
    assert list(tree.paths) == []
    assert list(tree.entries) == []
    assert tree.find("a") is None and tree.get("") is None
    assert tree.span("") == range(0) and len(tree.span("a")) == 0
    assert list(tree.file_flags()) == []
    assert tree.complete and tree.problems == []
    assert len(RepoTree(COMMIT)) == 0


# -- duplicates, sizes, modes, kinds ----------------------------------------------------------


def test_duplicate_path_keeps_the_first_entry() -> None:
    builder = TreeBuilder()
    builder.add("b", "blob", oid(1), 1)
    builder.add("a", "blob", oid(2), 2)
    builder.add("b", "tree", oid(3))
    builder.add("b", "blob", oid(4), 4, "100755")
    tree = builder.build(COMMIT)
    assert list(tree.paths) == ["a", "b"]
    assert tree.get("b") == TreeEntry("b", "blob", oid(1), 1, "100644")
    assert tree.get("a") == TreeEntry("a", "blob", oid(2), 2)


def test_duplicate_in_already_sorted_input_keeps_the_first() -> None:
    builder = TreeBuilder()
    builder.add("a", "blob", oid(1), 1)
    builder.add("b", "blob", oid(2), 2)
    builder.add("b", "blob", oid(3), 3)
    builder.add("c", "blob", oid(4), 4)
    tree = builder.build(COMMIT)
    assert list(tree.paths) == ["a", "b", "c"]
    assert [tree.sha(i) for i in range(3)] == [oid(1), oid(2), oid(4)]
    assert [e.size for e in tree.entries] == [1, 2, 4]


def test_sizes_none_and_zero_round_trip() -> None:
    builder = TreeBuilder()
    builder.add("none", "blob", oid(1))
    builder.add("zero", "blob", oid(2), 0)
    builder.add("big", "blob", oid(3), 5 << 40)
    builder.add("dir", "tree", oid(4))
    tree = builder.build(COMMIT)
    assert tree.get("none").size is None  # type: ignore[union-attr]
    assert tree.get("zero").size == 0  # type: ignore[union-attr]
    assert tree.get("big").size == 5 << 40  # type: ignore[union-attr]
    assert tree.get("dir").size is None  # type: ignore[union-attr]


def test_default_modes_per_type() -> None:
    builder = TreeBuilder()
    builder.add("f", "blob", oid(1))
    builder.add("d", "tree", oid(2))
    builder.add("s", "commit", oid(3))
    tree = builder.build(COMMIT)
    assert tree.get("f").mode == "100644"  # type: ignore[union-attr]
    assert tree.get("d").mode == "040000"  # type: ignore[union-attr]
    assert tree.get("s").mode == "160000"  # type: ignore[union-attr]
    assert [tree.type(i) for i in range(3)] == ["tree", "blob", "commit"]  # d, f, s


def test_explicit_modes_are_kept() -> None:
    builder = TreeBuilder()
    builder.add("run.sh", "blob", oid(1), 10, "100755")
    builder.add("plain", "blob", oid(2), 10, "100644")
    builder.add("link", "blob", oid(3), 7, SYMLINK_MODE)
    tree = builder.build(COMMIT)
    assert tree.get("run.sh").mode == "100755"  # type: ignore[union-attr]
    assert tree.get("plain").mode == "100644"  # type: ignore[union-attr]
    assert tree.get("link").mode == SYMLINK_MODE  # type: ignore[union-attr]
    assert tree.get("link").is_symlink  # type: ignore[union-attr]
    assert not tree.get("run.sh").is_symlink  # type: ignore[union-attr]


def test_kind_predicates() -> None:
    builder = TreeBuilder()
    builder.add("file", "blob", oid(1), 1)
    builder.add("exec", "blob", oid(2), 1, "100755")
    builder.add("link", "blob", oid(3), 1, SYMLINK_MODE)
    builder.add("dir", "tree", oid(4))
    builder.add("sub", "commit", oid(5))
    tree = builder.build(COMMIT)

    def at(path: str) -> int:
        i = tree.find(path)
        assert i is not None
        return i

    assert tree.is_file(at("file")) and not tree.is_dir(at("file"))
    assert tree.is_file(at("exec")) and not tree.is_dir(at("exec"))
    assert not tree.is_file(at("link")) and not tree.is_dir(at("link"))
    assert tree.type(at("link")) == "blob"
    assert tree.is_dir(at("dir")) and not tree.is_file(at("dir"))
    assert not tree.is_file(at("sub")) and not tree.is_dir(at("sub"))
    assert tree.type(at("sub")) == "commit"
    assert dict(tree.file_flags()) == {"dir": 2, "exec": 1, "file": 1, "link": 0, "sub": 0}
    assert [p for p, _ in tree.file_flags()] == list(tree.paths)


# -- object ids --------------------------------------------------------------------------------


@pytest.mark.parametrize("sha", [SHA1, SHA256, "0" * 40, "f" * 64])
def test_sha_round_trips(sha: str) -> None:
    builder = TreeBuilder()
    builder.add("x", "blob", sha)
    builder.add("y", "tree", sha)
    tree = builder.build(COMMIT)
    assert tree.sha(0) == tree.sha(1) == sha
    assert tree.get("x").sha == sha  # type: ignore[union-attr]


def test_sha256_tree_keeps_every_id_apart() -> None:
    builder = TreeBuilder()
    for n in range(50):
        builder.add(f"p{n:03d}", "blob", oid(n * 7919 + 1, 32))
    tree = builder.build(COMMIT)
    assert [tree.sha(i) for i in range(50)] == [oid(n * 7919 + 1, 32) for n in range(50)]


def test_uppercase_sha_is_normalized() -> None:
    builder = TreeBuilder()
    builder.add("x", "blob", SHA1.upper())
    builder.add("y", "blob", "AbCdEf" + SHA1[6:])
    tree = builder.build(COMMIT)
    assert tree.get("x").sha == SHA1  # type: ignore[union-attr]
    assert tree.get("y").sha == "abcdef" + SHA1[6:]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "sha",
    [
        "zz" * 20,  # not hex
        "g" + SHA1[1:],
        SHA1[:-1],  # odd length
        "",
        "0123456789",  # 5 bytes
        SHA1 + "00",  # 21 bytes
        SHA256[:-2],  # 31 bytes
        SHA256 + "00",  # 33 bytes
        "é" * 40,
    ],
)
def test_invalid_object_ids_raise(sha: str) -> None:
    builder = TreeBuilder()
    with pytest.raises(InvalidObjectId):
        builder.add("x", "blob", sha)
    assert len(builder) == 0
    assert issubclass(InvalidObjectId, ValueError)


@pytest.mark.parametrize(
    "sha", [" " + SHA1, SHA1 + "\n", " ".join([SHA1[:20], SHA1[20:]]), SHA256 + "\t"]
)
def test_object_id_with_whitespace_is_invalid(sha: str) -> None:
    with pytest.raises(InvalidObjectId):
        TreeBuilder().add("x", "blob", sha)


@pytest.mark.parametrize("first,second", [(SHA1, SHA256), (SHA256, SHA1)])
def test_mixed_id_widths_raise(first: str, second: str) -> None:
    builder = TreeBuilder()
    builder.add("a", "blob", first)
    with pytest.raises(InvalidObjectId):
        builder.add("b", "blob", second)
    builder.add("c", "blob", first)  # the builder is still usable
    tree = builder.build(COMMIT)
    assert list(tree.paths) == ["a", "c"]
    assert tree.sha(1) == first


def test_constructor_rejects_bad_ids() -> None:
    with pytest.raises(InvalidObjectId):
        RepoTree(COMMIT, entries=[TreeEntry("a", "blob", SHA1), TreeEntry("b", "blob", SHA256)])
    with pytest.raises(InvalidObjectId):
        RepoTree(COMMIT, entries=[TreeEntry("a", "blob", "nothex")])


@pytest.mark.parametrize("size", [1 << 63, 1 << 70, -1, -5])
def test_out_of_range_size_is_rejected_and_leaves_the_builder_consistent(size: int) -> None:
    builder = TreeBuilder()
    builder.add("first", "blob", oid(1), 1)
    with pytest.raises(ValueError):
        builder.add("huge", "blob", oid(2), size)
    builder.add("ok", "blob", oid(3), 3)
    assert len(builder) == 2
    assert list(builder.build(COMMIT).entries) == [TreeEntry("first", "blob", oid(1), 1),
                                                   TreeEntry("ok", "blob", oid(3), 3)]  # fmt: skip


def test_largest_size_is_kept() -> None:
    builder = TreeBuilder()
    builder.add("max", "blob", oid(1), (1 << 63) - 1)
    assert builder.build(COMMIT).get("max").size == (1 << 63) - 1  # type: ignore[union-attr]


# -- entries view ------------------------------------------------------------------------------


def test_entries_view_behaves_like_a_list() -> None:
    tree = build(*TRAP)
    expected = sorted(TRAP, key=lambda e: e.path)
    entries = tree.entries
    assert isinstance(entries, TreeEntries) and isinstance(entries, Sequence)
    assert len(entries) == 4
    assert list(entries) == expected
    assert [entries[i] for i in range(4)] == expected
    assert entries[-1] == expected[-1] and entries[-4] == expected[0]
    for bad in (4, 100, -5, -100):
        with pytest.raises(IndexError):
            entries[bad]
    assert entries[1:3] == expected[1:3]
    assert entries[::-1] == expected[::-1]
    assert entries[::2] == expected[::2]
    assert entries[-2:] == expected[-2:]
    assert entries[10:] == []
    assert expected[2] in entries
    assert entries.index(expected[3]) == 3
    assert list(reversed(entries)) == expected[::-1]


def test_constructor_equals_builder() -> None:
    entries = [*TRAP, TreeEntry("a-c", "blob", oid(99), 1), TreeEntry("z", "commit", oid(5),
               mode="160000"), TreeEntry("l", "blob", oid(6), 2, SYMLINK_MODE)]  # fmt: skip
    problems = ["one problem"]
    direct = RepoTree(COMMIT, entries=entries, complete=False, problems=problems)
    builder = TreeBuilder()
    for entry in entries:
        builder.add_entry(entry)
    built = builder.build(COMMIT, complete=False, problems=problems)
    assert list(direct.entries) == list(built.entries)
    assert list(direct.paths) == list(built.paths)
    assert list(direct.file_flags()) == list(built.file_flags())
    assert direct.get("a-c") == TreeEntry("a-c", "blob", oid(2), 3)  # first wins both ways
    assert (direct.commit, direct.complete, direct.problems) == (COMMIT, False, problems)
    assert (built.commit, built.complete, built.problems) == (COMMIT, False, problems)
    assert "entries=6" in repr(direct) and "complete=False" in repr(direct)


def test_constructor_accepts_a_generator_and_fresh_problem_lists() -> None:
    tree = RepoTree(COMMIT, entries=(e for e in TRAP))
    assert list(tree.paths) == ["a", "a-c", "a.md", "a/b"]
    assert tree.complete
    other = RepoTree(COMMIT)
    tree.problems.append("x")
    assert other.problems == []


# -- builder reuse -----------------------------------------------------------------------------


def test_builder_is_empty_and_reusable_after_build() -> None:
    builder = TreeBuilder()
    builder.add("b", "blob", SHA1, 1)
    builder.add("a", "blob", SHA1, 2)
    assert len(builder) == 2
    first = builder.build(COMMIT)
    assert len(builder) == 0
    assert len(builder.build(COMMIT)) == 0  # a second build is empty
    # A new id width is allowed after a build, and new entries do not leak into old trees.
    builder.add("c", "blob", SHA256, 3)
    second = builder.build("d" * 40)
    assert list(first.paths) == ["a", "b"] and len(first) == 2
    assert list(second.entries) == [TreeEntry("c", "blob", SHA256, 3)]
    assert first.sha(0) == SHA1


def test_builder_reuse_after_sorted_build_does_not_share_columns() -> None:
    builder = TreeBuilder()
    builder.add("a", "blob", oid(1), 1)  # already sorted: the fast path hands over its lists
    builder.add("b", "blob", oid(2), 2)
    first = builder.build(COMMIT)
    builder.add("c", "tree", oid(3))
    builder.build(COMMIT)
    assert list(first.entries) == [TreeEntry("a", "blob", oid(1), 1),
                                   TreeEntry("b", "blob", oid(2), 2)]  # fmt: skip


# -- property-style ----------------------------------------------------------------------------


def _random_path(rng: random.Random) -> str:
    alphabet = ["a", "b", "-", ".", " ", "!", "0", "é", "\U0001f600", "A", "_"]
    depth = rng.choice([1, 1, 2, 2, 3, 4])
    return "/".join(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(depth)
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("width", [20, 32])
def test_random_paths_agree_with_a_dict(seed: int, width: int) -> None:
    rng = random.Random(seed)
    kinds = [("blob", None), ("blob", "100755"), ("blob", SYMLINK_MODE), ("tree", None),
             ("commit", None)]  # fmt: skip
    builder = TreeBuilder()
    first: dict[str, TreeEntry] = {}
    for n in range(4000):
        path = _random_path(rng)
        kind, mode = rng.choice(kinds)
        size = rng.choice([None, 0, rng.randint(1, 1 << 40)]) if kind == "blob" else None
        sha = rng.randbytes(width).hex()
        builder.add(path, kind, sha, size, mode)  # type: ignore[arg-type]
        default = {"blob": "100644", "tree": "040000", "commit": "160000"}[kind]
        first.setdefault(path, TreeEntry(path, kind, sha, size, mode or default))  # type: ignore[arg-type]
        assert len(builder) == n + 1
    tree = builder.build(COMMIT)

    paths = list(tree.paths)
    assert paths == sorted(first)
    assert all(a < b for a, b in zip(paths, paths[1:], strict=False))
    assert len(tree) == len(first) == len(tree.entries)
    for path, entry in first.items():
        i = tree.find(path)
        assert i is not None and tree.paths[i] == path
        assert tree.entry(i) == entry
        assert tree.is_file(i) == (entry.type == "blob" and entry.mode != SYMLINK_MODE)
        assert tree.is_dir(i) == (entry.type == "tree")
    for _ in range(500):
        probe = _random_path(rng)
        assert (tree.find(probe) is not None) == (probe in first)
    folders = {p.rsplit("/", 1)[0] for p in first if "/" in p}
    for folder in rng.sample(sorted(folders), min(200, len(folders))):
        below = [paths[i] for i in tree.span(folder)]
        assert below == [p for p in paths if p.startswith(folder + "/")]
