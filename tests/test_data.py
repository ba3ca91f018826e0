"""glassnet.data: named datasets, data files and their mistakes, and the preprocessing helpers."""

from __future__ import annotations

import gzip
import pickle
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import glassnet.data as data_module
from glassnet.data import (
    DATASETS,
    Dataset,
    MinMaxScaler,
    Standardizer,
    load_dataset,
    load_inputs,
    make_spiral,
    make_xor,
    one_hot,
    train_val_test_split,
)
from glassnet.errors import ArgumentError, DataError, GlassnetError

# --- named datasets -------------------------------------------------------------------

SHAPES = {
    "digits": ((1797, 64), "classification", 10),
    "iris": ((150, 4), "classification", 3),
    "wine": ((178, 13), "classification", 3),
    "breast_cancer": ((569, 30), "classification", 2),
    "diabetes": ((442, 10), "regression", None),
    "moons": ((400, 2), "classification", 2),
    "circles": ((400, 2), "classification", 2),
    "spiral": ((300, 2), "classification", 3),
    "xor": ((400, 2), "classification", 2),
}


def test_every_dataset_is_described() -> None:
    assert set(SHAPES) == set(DATASETS)
    assert DATASETS[0] == "digits"


@pytest.mark.parametrize("name", DATASETS)
def test_named_dataset_shapes(name: str) -> None:
    shape, task, n_classes = SHAPES[name]
    ds = load_dataset(name)
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.X.shape == shape
    assert ds.X.dtype == np.float64
    assert np.isfinite(ds.X).all()
    assert ds.task == task
    assert ds.n_classes == n_classes
    assert len(ds.feature_names) == shape[1]
    assert ds.y.shape == (shape[0],)
    if task == "classification":
        assert ds.y.dtype == np.int64
        assert ds.classes is not None
        assert set(np.unique(ds.y)) == set(range(n_classes))
    else:
        assert ds.y.dtype == np.float64
        assert ds.classes is None


def test_default_dataset_is_digits() -> None:
    assert load_dataset().name == "digits"


def test_bundled_class_labels() -> None:
    assert load_dataset("iris").classes == ["setosa", "versicolor", "virginica"]
    assert load_dataset("digits").classes == list(range(10))


def test_import_is_cheap() -> None:
    code = "import sys, glassnet.data; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", ["moons", "circles", "spiral", "xor"])
def test_generators_are_deterministic(name: str) -> None:
    a = load_dataset(name, seed=3)
    b = load_dataset(name, seed=3)
    c = load_dataset(name, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", ["moons", "circles", "spiral", "xor"])
def test_generator_size_and_noise(name: str) -> None:
    ds = load_dataset(name, n_samples=61, noise=0.0)
    assert ds.X.shape == (61, 2)
    assert len(ds.y) == 61


def test_xor_follows_the_sign_rule() -> None:
    X, y = make_xor(n_samples=401, noise=0.3, seed=1)
    assert X.shape == (401, 2)
    expected = (np.sign(X[:, 0]) * np.sign(X[:, 1]) > 0).astype(np.int64)
    np.testing.assert_array_equal(y, expected)
    assert set(np.unique(y)) == {0, 1}
    # the points sit around the four corners
    corners = {(int(a), int(b)) for a, b in np.sign(make_xor(400, noise=0.0)[0])}
    assert corners == {(1, 1), (1, -1), (-1, 1), (-1, -1)}


@pytest.mark.parametrize(("n_samples", "n_classes"), [(300, 3), (301, 3), (50, 5), (7, 2)])
def test_spiral_classes_are_balanced(n_samples: int, n_classes: int) -> None:
    X, y = make_spiral(n_samples=n_samples, n_classes=n_classes, seed=2)
    assert X.shape == (n_samples, 2)
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes
    assert counts.max() - counts.min() <= 1
    assert np.all(np.linalg.norm(X, axis=1) <= 1.0 + 1e-12)


def test_generator_arguments_are_checked() -> None:
    with pytest.raises(ArgumentError, match="n_samples"):
        make_spiral(n_samples=2, n_classes=3)
    with pytest.raises(ArgumentError, match="noise"):
        make_xor(noise=-1.0)
    with pytest.raises(ArgumentError, match="seed"):
        make_xor(seed=-1)
    with pytest.raises(ArgumentError, match="n_samples"):
        load_dataset("moons", n_samples=0)
    with pytest.raises(ArgumentError, match="generated datasets"):
        load_dataset("iris", n_samples=10)
    with pytest.raises(ArgumentError, match="target"):
        load_dataset("iris", target="x")


def test_unknown_dataset_name() -> None:
    with pytest.raises(DataError) as info:
        load_dataset("digts")
    message = str(info.value)
    assert "unknown dataset 'digts'" in message
    assert "did you mean 'digits'?" in message
    assert "breast_cancer" in message
    assert isinstance(info.value, GlassnetError)
    assert isinstance(info.value, ValueError)


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_dataset(str(tmp_path / "nope.csv"))
    with pytest.raises(DataError, match="no such file"):
        load_dataset("t10k-images-idx3-ubyte")
    odd = tmp_path / "data.txt"
    odd.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"data\.txt: unknown file type; expected a \.csv"):
        load_dataset(str(odd))
    with pytest.raises(DataError, match="directory"):
        load_dataset(tmp_path)


def test_data_error_format_and_pickle() -> None:
    error = DataError("f.csv", "row 2 (line 3), column 'a'", "expected a number")
    assert str(error) == "f.csv: row 2 (line 3), column 'a': expected a number"
    assert str(DataError("f.csv", "", "empty")) == "f.csv: empty"
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)
    assert again.where == error.where


# --- CSV ------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def csv_rows(header: list[str], rows: list[list[object]]) -> str:
    return "\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n"


def test_csv_named_target_in_the_middle(tmp_path: Path) -> None:
    rows = [[i * 0.5, i % 3, -i] for i in range(12)]
    path = write(tmp_path, csv_rows(["a", "label", "b"], rows))
    ds = load_dataset(path, target="label")
    assert ds.name == "data.csv"
    assert ds.feature_names == ["a", "b"]
    assert ds.task == "classification"
    assert ds.classes == [0, 1, 2]
    assert ds.n_classes == 3
    np.testing.assert_array_equal(ds.X, [[i * 0.5, -i] for i in range(12)])
    np.testing.assert_array_equal(ds.y, [i % 3 for i in range(12)])
    assert ds.y.dtype == np.int64


def test_csv_string_labels_are_sorted(tmp_path: Path) -> None:
    labels = ["virginica", "setosa", "versicolor"] * 2
    text = "x, y ,species\n" + "".join(f"{i}, {i * 2} ,{s}\n" for i, s in enumerate(labels))
    ds = load_dataset(write(tmp_path, text))
    assert ds.feature_names == ["x", "y"]
    assert ds.classes == ["setosa", "versicolor", "virginica"]
    assert [ds.classes[k] for k in ds.y] == labels
    assert ds.task == "classification"


def test_csv_regression_target(tmp_path: Path) -> None:
    rows = [[i, i * 1.5 + 0.25] for i in range(10)]
    ds = load_dataset(write(tmp_path, csv_rows(["x", "price"], rows)))
    assert ds.task == "regression"
    assert ds.classes is None
    assert ds.n_classes is None
    assert ds.y.dtype == np.float64
    np.testing.assert_allclose(ds.y, [r[1] for r in rows])


def test_csv_integer_target_with_many_values_is_regression(tmp_path: Path) -> None:
    # whole numbers, but as many distinct values as rows: a count, not classes
    rows = [[i, i * 7] for i in range(30)]
    assert load_dataset(write(tmp_path, csv_rows(["x", "n"], rows))).task == "regression"


def test_csv_blank_lines_and_bom(tmp_path: Path) -> None:
    text = "\ufeffa,b,c\n1,2,0\n\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n"
    ds = load_dataset(write(tmp_path, text))
    assert ds.feature_names == ["a", "b"]
    assert ds.X.shape == (5, 2)


def test_csv_non_numeric_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n5,abc,0\n")
    with pytest.raises(DataError) as info:
        load_dataset(path)
    message = str(info.value)
    assert message.startswith(f"{path}: row 3 (line 4), column 'b': ")
    assert "expected a number, found 'abc'" in message


def test_csv_empty_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,y\n1,2,0\n,4,1\n")
    with pytest.raises(
        DataError, match=r"row 2 \(line 3\), column 'a': expected a number, found an empty cell"
    ):
        load_dataset(path)


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf"])
def test_csv_non_finite_cell(tmp_path: Path, cell: str) -> None:
    path = write(tmp_path, f"a,b,y\n1,2,0\n3,{cell},1\n")
    with pytest.raises(DataError) as info:
        load_dataset(path)
    message = str(info.value)
    assert path in message
    assert "row 2 (line 3), column 'b'" in message
    assert "finite" in message
    assert repr(cell) in message


def test_csv_non_finite_target(tmp_path: Path) -> None:
    path = write(tmp_path, "a,y\n1,0.5\n2,nan\n")
    with pytest.raises(
        DataError, match=r"row 2 \(line 3\), column 'y': found 'nan'; data must be finite"
    ):
        load_dataset(path)


def test_csv_empty_target(tmp_path: Path) -> None:
    path = write(tmp_path, "a,y\n1,cat\n2,\n")
    with pytest.raises(
        DataError, match=r"row 2 \(line 3\), column 'y': the target is an empty cell"
    ):
        load_dataset(path)


def test_csv_row_of_empty_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,y\n1,2,0\n,,\n")
    with pytest.raises(DataError, match=r"row 2 \(line 3\), column 'a': expected a number"):
        load_dataset(path)


def test_csv_ragged_row(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n5,6\n")
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert str(info.value) == f"{path}: row 3 (line 4): found 2 cells, but the header has 3 columns"


def test_csv_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "a,y\n1,0\n\n\nx,1\n")
    with pytest.raises(DataError, match=r"row 2 \(line 5\), column 'a'"):
        load_dataset(path)


def test_csv_unknown_target(tmp_path: Path) -> None:
    path = write(tmp_path, csv_rows(["width", "height", "label"], [[1, 2, 0], [3, 4, 1]]))
    with pytest.raises(DataError) as info:
        load_dataset(path, target="lable")
    message = str(info.value)
    assert message.startswith(f"{path}: target: no column 'lable'")
    assert "did you mean 'label'?" in message
    assert "'width', 'height', 'label'" in message


def test_csv_empty_and_header_only(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="empty"):
        load_dataset(write(tmp_path, "", "empty.csv"))
    with pytest.raises(DataError, match="empty"):
        load_dataset(write(tmp_path, "\n\n", "blank.csv"))
    with pytest.raises(DataError, match="no data rows"):
        load_dataset(write(tmp_path, "a,b,y\n", "header.csv"))
    # the features alone (predict's): the same words as load_dataset, not "no data rows"
    with pytest.raises(DataError, match=r"the file is empty; expected a header row"):
        load_inputs(write(tmp_path, "", "empty.csv"), ["a", "b"])
    with pytest.raises(DataError, match="no data rows"):
        load_inputs(write(tmp_path, "a,b,y\n", "header.csv"), ["a", "b"])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a\n1\n", "at least two"),
        ("a;b;y\n1;2;3\n", "another separator"),
        ("a,,y\n1,2,3\n", "column 2 of the header has no name"),
        ("a,a,y\n1,2,3\n", "names column 'a' twice"),
        ("1.5,2,0\n3,4,1\n", "must be a header"),
    ],
)
def test_csv_bad_header(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(DataError, match=match):
        load_dataset(write(tmp_path, text))


def test_csv_mixed_target_with_a_typo(tmp_path: Path) -> None:
    rows = [[i, i * 1.5 + 0.25] for i in range(30)]
    rows[17][1] = "12.x"
    path = write(tmp_path, csv_rows(["x", "price"], rows))
    with pytest.raises(
        DataError, match=r"row 18 \(line 19\), column 'price': expected a number, found '12.x'"
    ):
        load_dataset(path)


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,y\n1,caf\xe9\n")
    with pytest.raises(DataError, match="UTF-8"):
        load_dataset(str(path))


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("x,y\n1,2\n".encode("utf-16"), r"not UTF-8 text .*; save it as UTF-8"),
        (b"x,y\n1,\xff\n", r"not UTF-8 text .*; save it as UTF-8"),
        (b"x,y\n1," + b"2" * 200_000 + b"\n", r"line 2: not valid CSV: field larger than"),
        # a stray quote made one cell of the rest of the file (3 rows read, exit 0)
        (
            b'x,y\n1,2\n3,"4\n' + b"5,6\n" * 30,
            r"line 3: not valid CSV: unexpected end of data; a quote opened in this row "
            r"is not closed \(read on to line 33\)",
        ),
    ],
    ids=["utf-16", "0xff", "field-over-limit", "open-quote"],
)
def test_csv_unreadable_text_is_one_error_for_every_reader(
    tmp_path: Path, content: bytes, match: str
) -> None:
    """load_dataset and load_inputs (glassnet predict) read CSV text alike."""
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    for read in (lambda: load_dataset(str(path)), lambda: load_inputs(str(path), ["x"])):
        with pytest.raises(DataError, match=match):
            read()


def test_a_line_break_in_a_cell_is_refused_where_the_cell_is_read(tmp_path: Path) -> None:
    # legal CSV (Excel, pandas and R write a note over two lines so): never a number or
    # a label, but a column predict or evaluate does not read may hold anything
    path = tmp_path / "note.csv"
    path.write_bytes(b'x,note,y\n1,"two\nlines",2\n5,ok,6\n')
    with pytest.raises(DataError, match=r"line 2: a quoted cell holds a line break"):
        load_dataset(str(path))
    np.testing.assert_array_equal(load_inputs(str(path), ["x"]), [[1.0], [5.0]])
    np.testing.assert_array_equal(load_dataset(str(path), features=["x"]).X, [[1.0], [5.0]])
    with pytest.raises(DataError, match="expected a number"):
        load_inputs(str(path), ["x", "note"])


def test_csv_unreadable_file_is_a_data_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "x,y\n1,2\n")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data_module, "open", denied, raising=False)
    with pytest.raises(DataError, match=r"cannot read the file \(Permission denied\)"):
        load_inputs(str(path), ["x"])


def test_csv_too_big_is_refused_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, csv_rows(["a", "b", "y"], [[1.25, 2.5, i % 2] for i in range(2000)]))
    monkeypatch.setattr(data_module, "MAX_DATA_BYTES", 1000)
    with pytest.raises(DataError) as info:
        load_dataset(path)
    message = str(info.value)
    assert "the file is" in message and "memory" in message and "KiB" in message


@pytest.mark.skipif(sys.platform != "linux", reason="needs sparse files")
def test_csv_over_two_gib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.write(b"a,b,y\n" + b"1.5,2.5,0\n" * 100)
        f.truncate(3 * 1024**3)  # sparse: no disk used, nothing to read
    start = time.perf_counter()
    with pytest.raises(DataError, match=r"the file is 3\.0 GiB.*GiB of memory"):
        load_dataset(str(path))
    assert time.perf_counter() - start < 1.0


# --- .npz and .npy --------------------------------------------------------------------


def test_npz_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    y = rng.integers(0, 4, 20)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    ds = load_dataset(tmp_path / "d.npz")
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    assert ds.task == "classification"
    assert ds.classes == sorted(set(y.tolist()))
    assert ds.feature_names == ["x0", "x1", "x2"]


def test_npz_regression_and_string_labels(tmp_path: Path) -> None:
    X = np.arange(12.0).reshape(6, 2)
    np.savez(tmp_path / "r.npz", X=X, y=np.linspace(0, 1, 6))
    assert load_dataset(str(tmp_path / "r.npz")).task == "regression"
    Y = np.arange(18.0).reshape(6, 3)
    np.savez(tmp_path / "m.npz", X=X, y=Y)
    ds = load_dataset(str(tmp_path / "m.npz"))
    assert ds.task == "regression" and ds.y.shape == (6, 3)
    np.savez(tmp_path / "s.npz", X=X, y=np.array(["b", "a", "b", "c", "a", "b"]))
    ds = load_dataset(str(tmp_path / "s.npz"))
    assert ds.classes == ["a", "b", "c"]
    np.testing.assert_array_equal(ds.y, [1, 0, 1, 2, 0, 1])


def test_npz_object_array_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "o.npz", X=np.array([[1, "a"], [2, "b"]], dtype=object), y=np.zeros(2))
    with pytest.raises(DataError, match="pickle"):
        load_dataset(str(tmp_path / "o.npz"))


def test_npz_missing_key(tmp_path: Path) -> None:
    np.savez(tmp_path / "k.npz", data=np.zeros((3, 2)), labels=np.zeros(3))
    with pytest.raises(DataError) as info:
        load_dataset(str(tmp_path / "k.npz"))
    message = str(info.value)
    assert "missing arrays 'X' and 'y'" in message
    assert "'data', 'labels'" in message


def test_npz_mistakes(tmp_path: Path) -> None:
    np.savez(tmp_path / "n.npz", X=np.array([[1.0, 2.0], [3.0, np.inf]]), y=np.zeros(2))
    with pytest.raises(DataError, match=r"X\[1, 1\]: found inf; data must be finite"):
        load_dataset(str(tmp_path / "n.npz"))
    np.savez(tmp_path / "l.npz", X=np.zeros((3, 2)), y=np.zeros(4))
    with pytest.raises(DataError, match="has 4 rows, but X has 3"):
        load_dataset(str(tmp_path / "l.npz"))
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"not a valid \.npz"):
        load_dataset(str(tmp_path / "bad.npz"))


def test_npz_of_no_feature_columns_is_refused(tmp_path: Path) -> None:
    # it was "layers: expected at least 2 positive sizes, found [0, 256, 3]"
    path = tmp_path / "x0.npz"
    np.savez(path, X=np.zeros((4, 0)), y=np.array([0, 1, 2, 0]))
    message = f"{path}: X: expected a 2-D array (n, d) of d ≥ 1 columns, found shape (4, 0)"
    for read in (lambda: load_dataset(str(path)), lambda: load_inputs(str(path), ["a"])):
        with pytest.raises(DataError) as info:
            read()
        assert str(info.value) == message


def test_npy_round_trip(tmp_path: Path) -> None:
    array = np.column_stack([np.arange(10.0), np.arange(10) % 2, np.linspace(0, 1, 10)])
    np.save(tmp_path / "a.npy", array)
    ds = load_dataset(str(tmp_path / "a.npy"))
    assert ds.task == "regression"
    np.testing.assert_array_equal(ds.X, array[:, :2])
    np.testing.assert_array_equal(ds.y, array[:, 2])
    ds = load_dataset(str(tmp_path / "a.npy"), target="1")
    assert ds.task == "classification" and ds.classes == [0, 1]
    assert ds.feature_names == ["x0", "x2"]
    np.testing.assert_array_equal(ds.X, array[:, [0, 2]])
    with pytest.raises(DataError, match="column index"):
        load_dataset(str(tmp_path / "a.npy"), target="label")
    with pytest.raises(DataError, match="out of range"):
        load_dataset(str(tmp_path / "a.npy"), target="3")


def test_npy_integer_labels(tmp_path: Path) -> None:
    array = np.column_stack([np.arange(40), np.arange(40) % 25])
    np.save(tmp_path / "i.npy", array)
    ds = load_dataset(str(tmp_path / "i.npy"))
    assert ds.task == "classification" and ds.n_classes == 25


def test_npy_mistakes(tmp_path: Path) -> None:
    np.save(tmp_path / "o.npy", np.array([[1, "a"]], dtype=object))
    with pytest.raises(DataError, match="pickle"):
        load_dataset(str(tmp_path / "o.npy"))
    np.save(tmp_path / "v.npy", np.arange(5.0))
    with pytest.raises(DataError, match="2-D"):
        load_dataset(str(tmp_path / "v.npy"))
    np.save(tmp_path / "n.npy", np.array([[1.0, 2.0], [np.nan, 0.0]]))
    with pytest.raises(DataError, match=r"array\[1, 0\]: found nan"):
        load_dataset(str(tmp_path / "n.npy"))
    np.save(tmp_path / "t.npy", np.zeros((10, 3)))
    raw = (tmp_path / "t.npy").read_bytes()
    (tmp_path / "t.npy").write_bytes(raw[:-5])
    with pytest.raises(DataError, match=r"not a valid \.npy"):
        load_dataset(str(tmp_path / "t.npy"))
    (tmp_path / "x.npy").write_text("hello")
    with pytest.raises(DataError, match="magic"):
        load_dataset(str(tmp_path / "x.npy"))


# --- MNIST IDX ------------------------------------------------------------------------


def idx_pair(
    folder: Path,
    n: int = 5,
    n_labels: int | None = None,
    gz: bool = False,
    stem: str = "train",
    sep: str = "-",
) -> tuple[Path, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n if n_labels is None else n_labels) * 3 % 10).astype(np.uint8)
    images = struct.pack(">IIII", 0x803, n, 28, 28) + pixels.tobytes()
    label_bytes = struct.pack(">II", 0x801, len(labels)) + labels.tobytes()
    suffix = ".gz" if gz else ""
    image_path = folder / f"{stem}-images{sep}idx3-ubyte{suffix}"
    label_path = folder / f"{stem}-labels{sep}idx1-ubyte{suffix}"
    opener = gzip.compress if gz else bytes
    image_path.write_bytes(opener(images))
    label_path.write_bytes(opener(label_bytes))
    return image_path, pixels, labels


@pytest.mark.parametrize(("gz", "sep"), [(False, "-"), (True, "-"), (False, "."), (True, ".")])
def test_idx_round_trip(tmp_path: Path, gz: bool, sep: str) -> None:
    path, pixels, labels = idx_pair(tmp_path, gz=gz, sep=sep)
    ds = load_dataset(str(path))
    assert ds.X.shape == (5, 784)
    assert ds.X.dtype == np.float64
    assert ds.X.min() >= 0.0 and ds.X.max() <= 1.0
    np.testing.assert_allclose(ds.X, pixels.reshape(5, 784) / 255.0)
    np.testing.assert_array_equal(ds.y, labels)
    assert ds.task == "classification"
    assert ds.classes == list(range(10))
    assert len(ds.feature_names) == 784


def test_idx_bad_magic(tmp_path: Path) -> None:
    path, _, _ = idx_pair(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[3] = 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"header: bad magic number 0x00000801"):
        load_dataset(str(path))


def test_idx_truncated(tmp_path: Path) -> None:
    path, _, _ = idx_pair(tmp_path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="truncated"):
        load_dataset(str(path))
    path, _, _ = idx_pair(tmp_path, gz=True, stem="gz")
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-10]))
    with pytest.raises(DataError, match="truncated"):
        load_dataset(str(path))


def test_idx_label_count_mismatch(tmp_path: Path) -> None:
    path, _, _ = idx_pair(tmp_path, n=5, n_labels=4)
    with pytest.raises(DataError) as info:
        load_dataset(str(path))
    message = str(info.value)
    assert "labels-idx1-ubyte: header: announces 4 labels" in message
    assert "announces 5 images" in message


def test_idx_missing_labels_and_labels_given(tmp_path: Path) -> None:
    path, _, _ = idx_pair(tmp_path)
    label_path = tmp_path / "train-labels-idx1-ubyte"
    with pytest.raises(DataError, match="give the images file"):
        load_dataset(str(label_path))
    label_path.unlink()
    with pytest.raises(DataError, match="no labels file beside it"):
        load_dataset(str(path))


def test_idx_huge_header_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge-images-idx3-ubyte"
    path.write_bytes(struct.pack(">IIII", 0x803, 10**9, 28, 28) + bytes(100))
    (tmp_path / "huge-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x801, 10**9))
    start = time.perf_counter()
    with pytest.raises(DataError) as info:
        load_dataset(str(path))
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert "1000000000 images" in message
    assert "memory" in message and "GiB" in message


# --- train_val_test_split -------------------------------------------------------------


def test_split_sizes_and_stratification() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [100, 60, 40])
    X = rng.standard_normal((200, 3))
    X_tr, y_tr, X_va, y_va, X_te, y_te = train_val_test_split(X, y, val=0.1, test=0.2, seed=1)
    assert (len(X_tr), len(X_va), len(X_te)) == (140, 20, 40)
    assert len(y_tr) == 140 and len(y_va) == 20 and len(y_te) == 40
    share = np.bincount(y) / len(y)
    for part in (y_tr, y_va, y_te):
        counts = np.bincount(part, minlength=3)
        assert np.all(np.abs(counts - share * len(part)) <= 1)
    # every example lands in exactly one part
    together = np.concatenate([X_tr, X_va, X_te])
    assert sorted(map(tuple, together)) == sorted(map(tuple, X))


def test_split_is_deterministic() -> None:
    ds = load_dataset("iris")
    a = train_val_test_split(ds.X, ds.y, val=0.2, seed=5)
    b = train_val_test_split(ds.X, ds.y, val=0.2, seed=5)
    c = train_val_test_split(ds.X, ds.y, val=0.2, seed=6)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


def test_split_without_validation() -> None:
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20) % 2
    X_tr, _, X_va, y_va, X_te, _ = train_val_test_split(X, y)
    assert X_va.shape == (0, 2) and y_va.shape == (0,)
    assert X_va.dtype == X.dtype and y_va.dtype == y.dtype
    assert len(X_tr) == 16 and len(X_te) == 4


def test_split_regression_and_unstratified() -> None:
    X = np.arange(30.0).reshape(15, 2)
    y = np.linspace(0, 1, 15)
    parts = train_val_test_split(X, y, val=0.2, test=0.2)
    assert [len(p) for p in parts] == [9, 9, 3, 3, 3, 3]
    y_one = np.array([0] * 14 + [1])  # a class of one example cannot be stratified
    with pytest.raises(ArgumentError, match="stratify=False"):
        train_val_test_split(X, y_one)
    assert len(train_val_test_split(X, y_one, stratify=False)[4]) == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"test": 1.0}, "test"),
        ({"test": -0.1}, "test"),
        ({"val": 1.5}, "val"),
        ({"val": 0.5, "test": 0.5}, "less than 1"),
        ({"test": "0.2"}, "number"),
    ],
)
def test_split_fractions_are_checked(kwargs: dict[str, object], match: str) -> None:
    X = np.zeros((10, 2))
    y = np.arange(10) % 2
    with pytest.raises(ArgumentError, match=match):
        train_val_test_split(X, y, **kwargs)  # type: ignore[arg-type]


def test_split_length_mismatch() -> None:
    with pytest.raises(ArgumentError, match="must match"):
        train_val_test_split(np.zeros((10, 2)), np.zeros(9))


# --- Standardizer ---------------------------------------------------------------------


def test_standardizer() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, (100, 4))
    X[:, 2] = 7.0  # a constant column
    scaler = Standardizer()
    Z = scaler.fit_transform(X)
    np.testing.assert_allclose(Z[:, [0, 1, 3]].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, [0, 1, 3]].std(axis=0), 1.0, atol=1e-12)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    assert scaler.scale_ is not None and scaler.scale_[2] == 1.0
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, atol=1e-12)


def test_standardizer_keeps_float32() -> None:
    X = np.random.default_rng(1).normal(size=(50, 3)).astype(np.float32)
    scaler = Standardizer().fit(X)
    Z = scaler.transform(X)
    assert Z.dtype == np.float32
    assert scaler.inverse_transform(Z).dtype == np.float32
    assert Standardizer().fit_transform(np.arange(6).reshape(3, 2)).dtype == np.float64


def test_standardizer_mistakes() -> None:
    with pytest.raises(ArgumentError, match="not fitted"):
        Standardizer().transform(np.zeros((2, 2)))
    scaler = Standardizer().fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ArgumentError, match="3 columns"):
        scaler.transform(np.zeros((2, 3)))
    with pytest.raises(ArgumentError, match="2-D"):
        Standardizer().fit(np.zeros(3))


# --- one_hot --------------------------------------------------------------------------


def test_one_hot() -> None:
    out = one_hot(np.array([2, 0, 1, 2]))
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert out.dtype == np.float64
    wide = one_hot([1, 0], n_classes=4, dtype=np.float32)
    assert wide.shape == (2, 4) and wide.dtype == np.float32
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    assert one_hot(np.array([], dtype=np.int64), n_classes=3).shape == (0, 3)
    many = one_hot(np.array([99, 0, 70], dtype=np.uint8), n_classes=100)  # > 64 classes
    np.testing.assert_array_equal(np.argwhere(many), [[0, 99], [1, 0], [2, 70]])
    with pytest.raises(ArgumentError, match=r"y\[0\] = 100 is out of range"):
        one_hot(np.array([100, 0]), n_classes=100)


@pytest.mark.parametrize(
    ("y", "kwargs", "match"),
    [
        ([0, 3], {"n_classes": 3}, r"y\[1\] = 3 is out of range"),
        ([0, -1], {}, r"y\[1\] = -1 is out of range"),
        ([0.5, 1.0], {}, r"y\[0\] = 0.5 is not a whole number"),
        (["a", "b"], {}, "integer class indices"),
        ([[0, 1]], {}, "1-D"),
        ([0, 1], {"n_classes": 0}, "n_classes"),
    ],
)
def test_one_hot_mistakes(y: object, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ArgumentError, match=match):
        one_hot(np.array(y), **kwargs)  # type: ignore[arg-type]


def test_a_stray_word_among_few_numeric_labels_is_named(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)) + "1,oops\n")
    with pytest.raises(DataError, match=r"row 21 .*expected a number, found 'oops'.*1 of its 21"):
        load_dataset(str(path))
    # a class of words is no stray word: three of each label
    path.write_text("a,y\n" + "".join(f"{i},{['0', '1', 'cat'][i % 3]}\n" for i in range(9)))
    assert load_dataset(str(path)).classes == ["0", "1", "cat"]


def test_integer_labels_stay_integers(tmp_path):
    big = 10**17
    np.savez(tmp_path / "a.npz", X=np.zeros((6, 2)), y=np.array([big, big + 1, 1, 1, 1, 1]))
    data = load_dataset(str(tmp_path / "a.npz"))
    assert data.classes == [1, big, big + 1]  # float64 would merge the two large ones
    assert all(type(c) is int for c in data.classes)
    np.save(tmp_path / "b.npy", np.array([[1, 2, 0], [3, 4, 1], [5, 6, 1], [7, 8, 0]]))
    classes = load_dataset(str(tmp_path / "b.npy")).classes
    assert classes == [0, 1] and all(type(c) is int for c in classes)


def test_a_csv_under_the_row_limit_whose_lines_grow_is_read(tmp_path, monkeypatch):
    # the count from the first 64 KiB (short lines) overestimates: the rows are counted
    monkeypatch.setattr(data_module, "MAX_CSV_ROWS", 5000)
    path = tmp_path / "grow.csv"
    short = "".join(f"{i % 7},{i % 2}\n" for i in range(3000))
    long = "".join(f"{i:0200d},{i % 2}\n" for i in range(1000))
    path.write_text("x,y\n" + short + long)
    assert len(load_dataset(str(path)).X) == 4000
    path.write_text("x,y\n" + short + long + long + long)  # 6,000 rows: refused, counted
    with pytest.raises(DataError, match="has 6,000 rows"):
        load_dataset(str(path))


def test_bytes_labels_of_an_npz_are_text_classes(tmp_path):
    np.savez(tmp_path / "b.npz", X=np.arange(20.0).reshape(10, 2), y=np.array([b"b", b"a"] * 5))
    dataset = load_dataset(str(tmp_path / "b.npz"))
    assert dataset.classes == ["a", "b"] and dataset.y.tolist() == [1, 0] * 5


def test_features_reads_only_the_named_csv_columns(tmp_path):
    # an id column of text beside them is not read (evaluate takes a model's columns so)
    path = tmp_path / "t.csv"
    path.write_text("id,b,a,label\nr0,1,2,x\nr1,3,4,y\n")
    dataset = load_dataset(str(path), target="label", features=["a", "b"])
    assert dataset.feature_names == ["a", "b"] and dataset.X.tolist() == [[2, 1], [4, 3]]
    with pytest.raises(DataError, match="no feature column 'c'"):
        load_dataset(str(path), target="label", features=["c"])
    # the target itself among the features: said so, not "no feature column"
    with pytest.raises(DataError, match=r"line 1: 'label' is the target column: name another"):
        load_dataset(str(path), features=["label", "a"])
    with pytest.raises(ArgumentError, match=r"^source: an empty name; give a dataset's \(digits"):
        load_dataset("")
    with pytest.raises(DataError, match="expected a number"):
        load_dataset(str(path), target="label")


def test_an_npz_is_measured_as_float64_like_an_npy(tmp_path, monkeypatch):
    # 5,000 × 4 uint8 is 20 KB on disk and 160 KB as float64: the memory training takes
    monkeypatch.setattr(data_module, "MAX_DATA_BYTES", 100_000)
    np.savez(tmp_path / "u8.npz", X=np.zeros((5000, 4), np.uint8), y=np.zeros(5000, np.uint8))
    with pytest.raises(DataError, match=r"as float64 it would take about 19[56]"):
        load_dataset(str(tmp_path / "u8.npz"))
    np.savez(tmp_path / "small.npz", X=np.zeros((100, 4), np.uint8), y=np.zeros(100, np.uint8))
    assert load_dataset(str(tmp_path / "small.npz")).X.shape == (100, 4)


def test_a_min_max_scalers_errors_name_it():

    with pytest.raises(ArgumentError, match="cannot fit a MinMaxScaler on 0 rows"):
        MinMaxScaler().fit(np.zeros((0, 3)))
    with pytest.raises(ArgumentError, match="the MinMaxScaler is not fitted"):
        MinMaxScaler().transform(np.zeros((2, 3)))


def _bad_npy_header() -> bytes:
    """A .npy file whose header dict is cut short: NumPy's parser raises a TokenError."""
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), "
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + bytes(32)


def test_damaged_binary_files_are_one_data_error(tmp_path: Path) -> None:
    """zlib.error, tokenize.TokenError, SyntaxError: no traceback, the file named."""
    damaged = {}
    # a .npz whose compressed X starts with an invalid deflate block (zlib.error)
    path = tmp_path / "z.npz"
    np.savez_compressed(path, X=np.zeros((20, 3)), y=np.arange(20) % 2)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("X.npy")
    # the data begins after the local header and its own name and extra field
    name_length, extra_length = struct.unpack_from("<HH", raw, info.header_offset + 26)
    raw[info.header_offset + 30 + name_length + extra_length] = 0xFF
    path.write_bytes(bytes(raw))
    damaged[path] = r"X: not a valid array \(Error -3 while decompressing data"
    # a .npy and a .npz member whose header NumPy can't parse
    path = tmp_path / "h.npy"
    path.write_bytes(_bad_npy_header())
    damaged[path] = r"not a valid \.npy file \(its array header can't be parsed\)"
    path = tmp_path / "h.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", _bad_npy_header())
        archive.writestr("y.npy", _bad_npy_header())
    damaged[path] = r"X: not a valid array \(its array header can't be parsed\)"
    # .npz members marked encrypted, or of an unknown compression method (zipfile's
    # RuntimeError and NotImplementedError): flags of the central directory's entries
    for name, offset, value in (("enc.npz", 8, 1), ("meth.npz", 10, 99)):
        path = tmp_path / name
        np.savez(path, X=np.zeros((20, 3)), y=np.arange(20) % 2)
        raw = bytearray(path.read_bytes())
        at = raw.find(b"PK\x01\x02")  # the first central directory entry (X.npy)
        struct.pack_into("<H", raw, at + offset, value)
        path.write_bytes(bytes(raw))
        damaged[path] = r"not a valid|cannot read"
    # a gzipped IDX file whose deflate data is damaged
    path, _, _ = idx_pair(tmp_path, gz=True, stem="gz")
    raw = bytearray(gzip.compress(gzip.decompress(path.read_bytes()), mtime=0))
    raw[10] = 0xFF  # the first deflate block, after the 10-byte gzip header
    path.write_bytes(bytes(raw))
    damaged[path] = r"header: cannot read the file \(Error -3 while decompressing data"
    for path, match in damaged.items():
        with pytest.raises(DataError, match=match) as info:
            load_dataset(str(path))
        assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value)


def test_task_reads_a_csv_target_as_given_not_guessed(tmp_path: Path) -> None:
    path = write(tmp_path, "a,y\n1,1\n2,2\n3,NR\n" + "4,1\n" * 40)
    with pytest.raises(DataError, match="only 1 of its 43 cells is not a number"):
        load_dataset(path)  # guessed: numbers with a typo
    ds = load_dataset(path, task="classification")
    assert ds.task == "classification" and ds.classes == ["1", "2", "NR"]
    assert ds.y[:3].tolist() == [0, 1, 2]
    few = write(tmp_path, "a,y\n1,1\n2,2\n3,1\n", "few.csv")
    ds = load_dataset(few, task="regression")  # guessed: classes 1 and 2
    assert ds.task == "regression" and ds.classes is None
    assert ds.y.tolist() == [1.0, 2.0, 1.0]
    with pytest.raises(DataError, match=r"row 3 \(line 4\), column 'y': expected a number"):
        load_dataset(path, task="regression")
    with pytest.raises(ArgumentError, match="task must be"):
        load_dataset(path, task="labels")
    with pytest.raises(ArgumentError, match="task applies only to CSV files"):
        load_dataset("iris", task="classification")


def test_load_inputs_checks_a_csv_as_load_dataset_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """glassnet predict's reader: the size limits and the header's names, as train's."""
    path = write(tmp_path, "w,w,h\n1,2,3\n")
    with pytest.raises(DataError, match=r"line 1: the header names column 'w' twice"):
        load_inputs(path, ["w", "h"])
    # columns the model does not read may be unnamed or named twice (pandas' index)
    path = write(tmp_path, ",w,h,note,note,y\n0,1,2,a,b,1\n")
    np.testing.assert_array_equal(load_inputs(path, ["w", "h"]), [[1.0, 2.0]])
    np.testing.assert_array_equal(load_dataset(path, features=["w", "h"]).X, [[1.0, 2.0]])
    with pytest.raises(DataError, match="the header names column 'note' twice"):
        load_dataset(path, features=["w", "note"])
    path = write(tmp_path, csv_rows(["a", "b"], [[1.25, 2.5]] * 200))
    monkeypatch.setattr(data_module, "MAX_CSV_ROWS", 100)
    with pytest.raises(DataError, match="has 200 rows"):
        load_inputs(path, ["a", "b"])
    monkeypatch.setattr(data_module, "MAX_DATA_BYTES", 1000)
    with pytest.raises(DataError, match="the file is"):
        load_inputs(path, ["a", "b"])


@pytest.mark.parametrize("cell", ["1_000", "\u0661\u0662", "\uff11\uff12", "0x10"])
def test_csv_numbers_are_plain_ascii(tmp_path: Path, cell: str) -> None:
    """float() reads '1_000' as 1000 and other scripts' digits: a CSV number does not."""
    path = write(tmp_path, f"a,y\n1.5e3,0\n{cell},1\n-.5,0\n")
    for read in (lambda: load_dataset(path), lambda: load_inputs(path, ["a"])):
        with pytest.raises(DataError, match=r"row 2 \(line 3\), column 'a': expected a number"):
            read()
    np.testing.assert_array_equal(
        load_inputs(write(tmp_path, "a\n1.5e3\n-.5\n", "ok.csv"), ["a"]), [[1500.0], [-0.5]]
    )


def test_load_dataset_takes_names_and_indices_as_python_gives_them(tmp_path: Path) -> None:
    np.save(tmp_path / "ok.npy", np.arange(12.0).reshape(4, 3))
    npy = str(tmp_path / "ok.npy")
    np.testing.assert_array_equal(load_dataset(npy, target=0).y, load_dataset(npy, target="0").y)
    path = write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n", "ok.csv")
    for names in (np.array(["b", "a"]), {"b": 1, "a": 2}.keys(), ("b", "a")):
        np.testing.assert_array_equal(load_dataset(path, features=names).X, [[2, 1], [4, 3]])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": 1.7}, r"target must be a string: .* found 1\.7"),
        ({"target": True}, r"target must be a string: .* found True"),
        ({"features": "ab"}, r"features must be a list of column names, found 'ab'"),
        ({"features": []}, r"features must name at least one column"),
        ({"features": ["a", 1]}, r"features must name at least one column, each by a string"),
        ({"features": ["a", "a"]}, r"features names the column 'a' twice"),
    ],
)
def test_load_dataset_arguments_of_the_wrong_kind_are_refused(
    tmp_path: Path, kwargs: dict[str, object], match: str
) -> None:
    np.save(tmp_path / "ok.npy", np.arange(12.0).reshape(4, 3))
    source = str(tmp_path / ("ok.npy" if "target" in kwargs else "ok.csv"))
    write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n", "ok.csv")
    with pytest.raises(ArgumentError, match=match):
        load_dataset(source, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scaler", "column", "message"),
    [
        (Standardizer, [0.0, 1e-311, 2e-311], r"X\[:, 1\]: values from 0 to 2e-311"),
        (MinMaxScaler, [1e308, -1e308, 0.0], r"X\[:, 1\]: values from -1e\+308 to 1e\+308"),
        (MinMaxScaler, [0.0, 1e-311, 2e-311], r"scale 2e-311 \(or its reciprocal\)"),
    ],
)
def test_a_scaling_beyond_float64_is_refused_naming_the_column(scaler, column, message):
    X = np.column_stack([[1.0, 2.0, 3.0], column])
    with pytest.raises(ArgumentError, match=message):
        scaler().fit(X)


@pytest.mark.parametrize("column", [[1e200, -1e200, 1e200], [1e308] * 3, [1.7e308, -1.7e308, 0.0]])
def test_standardizing_values_near_float64_s_limit_does_not_overflow(column):
    X = np.column_stack([[1.0, 2.0, 3.0], column])
    scaler = Standardizer().fit(X)
    expected = [(v - np.mean(column, dtype=np.longdouble)) for v in column]
    sd = np.std(np.array(column, dtype=np.longdouble))
    want = [float(e / sd) if sd else 0.0 for e in expected]
    np.testing.assert_allclose(scaler.transform(X)[:, 1], want, rtol=1e-12, atol=1e-12)
    plain = np.random.default_rng(0).normal(size=(50, 3))  # no overflow: NumPy's figures
    fitted = Standardizer().fit(plain)
    assert np.array_equal(fitted.mean_, plain.mean(axis=0))
    assert np.array_equal(fitted.scale_, plain.std(axis=0))


TRICKY_CELLS = [
    "1",
    " 1 ",
    "\t1",
    "1.",
    ".5",
    "+.5e-3",
    "1e5",
    "1.e5",
    "1E-5",
    "-0",
    "007",
    "1e999",
    "-1e999",
    "1e-999",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1_000",
    "0x10",
    "\u0661",
    "\uff11",
    "\u00a01",
    "1\u2003",
    "",
    " ",
    "+-1",
    "--1",
    "1e",
    "1e+",
    "e5",
    ".",
    "1 2",
    "1.2.3",
    "1,5",
    "9" * 400,
    "0." + "0" * 400 + "1",
    "2.2250738585072011e-308",
    "4.9e-324",
]


@pytest.mark.parametrize("cell", TRICKY_CELLS)
def test_csv_columns_read_in_blocks_take_and_refuse_what_a_cell_read_alone_does(
    tmp_path: Path, cell: str
) -> None:
    """The block's one NumPy conversion takes a cell exactly where _parse_number does."""
    try:
        alone: object = data_module._parse_number("f.csv", f'"{cell}"'[1:-1], 2, 3, "a")
    except DataError as exc:
        alone = str(exc).split(": ", 1)[1]  # (the file's name differs)
    path = write(tmp_path, f'a,b\n2,0\n"{cell}",1\n3,4\n')
    try:
        read: object = load_inputs(path, ["a", "b"])
    except DataError as exc:
        read = str(exc).split(": ", 1)[1]
    if isinstance(alone, str):
        assert read == alone
    else:
        assert isinstance(read, np.ndarray) and read.dtype == np.float64
        assert read.tolist() == [[2.0, 0.0], [alone, 1.0], [3.0, 4.0]]
        assert np.signbit(read[1, 0]) == np.signbit(alone)


def test_csv_columns_name_a_later_blocks_cell_and_an_earlier_bad_cell_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_module, "CSV_BLOCK", 4)
    rows = [f"{k}.5,{k}" for k in range(10)]
    rows[6] = "6.5,x"
    path = write(tmp_path, "a,b\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"row 7 \(line 8\), column 'b': expected a number"):
        load_inputs(path, ["a", "b"])
    rows[6] = "6.5,6"
    np.testing.assert_array_equal(
        load_inputs(write(tmp_path, "a,b\n" + "\n\n".join(rows) + "\n", "ok.csv"), ["b", "a"]),
        [[k, k + 0.5] for k in range(10)],
    )
    # a bad number before a row of too many cells, or a quote left open, is said first
    rows[5] = "5.5,nan"
    for later in ("1,2,3", '"1,2'):
        rows[6] = later
        with pytest.raises(DataError, match=r"row 6 \(line 7\), column 'b': found 'nan'"):
            load_inputs(write(tmp_path, "a,b\n" + "\n".join(rows) + "\n", "bad.csv"), ["a", "b"])


def test_csv_columns_are_read_into_an_array_not_lists_of_floats(tmp_path: Path) -> None:
    # a list of Python floats per row held ~4.5 times the file (32 bytes a number)
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.random((40_000, 16)) * 100
    path = tmp_path / "big.csv"
    np.savetxt(
        path, X, fmt="%.8f", delimiter=",", header=",".join(f"x{j}" for j in range(16)), comments=""
    )
    tracemalloc.start()
    try:
        read = load_inputs(str(path), [f"x{j}" for j in range(16)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(read, X, rtol=0, atol=1e-8)
    assert peak < 3.5 * X.nbytes, f"peak {peak / X.nbytes:.1f} × the array"


def _load_csv_row_by_row(path: str, features: list[str] | None, task: str | None) -> object:
    """How _load_csv read a file before its blocks: a list of floats per row, parsed
    cell by cell; the outcome as (X, y, classes) or the error without the file's name."""
    try:
        parse = data_module._parse_number
        rows = data_module._csv_rows(path, one_line=features is None)
        first = next(rows, None)
        if first is None:
            return "the file is empty; expected a header row naming the columns"
        header = [c.strip() for c in first[0]]
        t = data_module._csv_header(path, header, None, names=features is None)
        keep = [i for i in range(len(header)) if i != t]
        if features is not None:
            keep = [header.index(name) for name in features]
        X, targets, lines = [], [], []
        for cells, line in rows:
            row = len(X) + 1
            data_module._check_cells(path, cells, header, row, line)
            X.append([parse(path, cells[i], row, line, header[i]) for i in keep])
            targets.append(cells[t].strip())
            lines.append(line)
        if not X:
            return "the file has a header but no data rows"
        _, y, classes = data_module._csv_target(path, targets, lines, header[t], task)
    except DataError as exc:
        return str(exc).split(": ", 1)[1]
    return np.array(X, dtype=np.float64).tobytes(), len(X), y.tolist(), classes


def _load_csv_outcome(path: str, features: list[str] | None, task: str | None) -> object:
    try:
        ds = load_dataset(path, features=features, task=task)
    except DataError as exc:
        return str(exc).split(": ", 1)[1]
    assert ds.X.dtype == np.float64 and ds.X.flags.c_contiguous
    return ds.X.tobytes(), len(ds.X), ds.y.tolist(), ds.classes  # (-0.0 too)


def _training_tables() -> list[tuple[str, list[str] | None, str | None]]:
    """CSV files for the training reader: a tricky cell in each place, bad rows in orders."""
    tables: list[tuple[str, list[str] | None, str | None]] = []
    for cell in TRICKY_CELLS:
        quoted = f'"{cell}"'
        tables.append((f"a,b,y\n2,0,cat\n{quoted},1,dog\n3,4,cat\n", None, None))
        tables.append((f"a,b,y\n2,0,1.5\n1,{quoted},2.5\n3,4,{quoted}\n", None, None))
        tables.append((f"a,b,y\n2,0,1\n1,1,{quoted}\n3,4,0\n", None, "regression"))
        tables.append((f"a,b,y\n2,0,1\n1,1,{quoted}\n3,4,0\n", None, "classification"))
    good = [f"{k}.5,{k},{'ab'[k % 2]}" for k in range(10)]
    for bad in (
        {6: "6.5,x,a"},  # a cell in the second block
        {1: "1.5,nan,b", 6: "1,2,3,4"},  # a bad cell, a later row of too many cells
        {5: "5.5,,b", 6: '"6,2,a'},  # an empty cell, a quote left open later
        {2: "2.5,1e,a", 7: '7,"7\n7",b'},  # a line break in a cell, in a later block
        {3: "3.5,3,a", 6: "6.5,6,"},  # an empty target after a good block
        {4: "4.5,inf,", 9: "x,9,b"},  # a bad number before an empty target
        {3: "1,2", 4: "4.5,zz,a"},  # too few cells before a bad number
        {k: f"{k}.5,{k},{k}" for k in range(8)},  # numbers among class labels
        {0: "0,0,0"} | {k: f"{k}.5,{k},{k}" for k in range(1, 10)},  # all numbers
    ):
        rows = [bad.get(k, good[k]) for k in range(10)]
        for gap in ("\n", "\n\n"):  # with blank lines, a row's line is not its number
            text = "a,b,y\n" + gap.join(rows) + "\n"
            tables.append((text, None, None))
            tables.append((text, None, "classification"))
            tables.append((text.replace("a,b,y", "a,b,y,note", 1), ["b", "a"], None))
    tables.append(("a,b,y\n", None, None))
    tables.append(("", None, None))
    tables.append(('a,note,y\n1,"two\nlines",c\n2,x,d\n', ["a"], None))
    return tables


@pytest.mark.parametrize("block", [4, 4096])
def test_csv_training_reader_in_blocks_agrees_with_reading_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """load_dataset of a CSV file takes, refuses and names what it did cell by cell."""
    monkeypatch.setattr(data_module, "CSV_BLOCK", block)
    for k, (text, features, task) in enumerate(_training_tables()):
        path = write(tmp_path, text, f"t{k}.csv")
        read = _load_csv_outcome(path, features, task)
        expected = _load_csv_row_by_row(path, features, task)
        assert read == expected, (text, features, task)


def test_csv_training_data_is_read_into_an_array_not_lists_of_floats(tmp_path: Path) -> None:
    # a list of Python floats per row held ~4.5 times the file (32 bytes a number)
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.random((40_000, 16)) * 100
    path = tmp_path / "big.csv"
    np.savetxt(
        path,
        np.column_stack([X, np.arange(len(X)) % 3]),
        fmt=["%.8f"] * 16 + ["%d"],
        delimiter=",",
        header=",".join([f"x{j}" for j in range(16)] + ["y"]),
        comments="",
    )
    tracemalloc.start()
    try:
        ds = load_dataset(str(path), task="classification")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(ds.X, X, rtol=0, atol=1e-8)
    assert ds.classes == ["0", "1", "2"]
    assert peak < 3.5 * X.nbytes, f"peak {peak / X.nbytes:.1f} × the array"


@pytest.mark.parametrize("long_first", [True, False])
def test_csv_read_whole_where_its_first_lines_misjudge_its_rows(
    tmp_path: Path, long_first: bool
) -> None:
    # the array is sized from the first 64 KiB: long lines first undercount the rows
    # (it grows), short ones first overcount them (it shrinks to the rows read)
    rng = np.random.default_rng(3)
    long_rows = rng.normal(size=(2_000, 3))  # 17 digits each: ~60 characters a line
    short_rows = rng.integers(0, 9, size=(30_000, 3)).astype(float)  # "1.0,2.0,…": ~12
    parts = [long_rows, short_rows] if long_first else [short_rows, long_rows]
    path = tmp_path / "d.csv"
    path.write_text(
        "a,b,label\n"
        + "".join(
            f"{r[0]!r},{r[1]!r},{int(abs(r[2])) % 2}\n" for part in parts for r in part.tolist()
        )
    )
    ds = load_dataset(str(path), target="label")
    expected = np.concatenate(parts)[:, :2]
    assert np.array_equal(ds.X, expected)
    assert ds.X.flags.owndata  # the rows read, not a view of a larger array
    assert ds.X.nbytes == expected.nbytes


def test_csv_columns_are_read_without_a_second_copy(tmp_path: Path) -> None:
    # the blocks were joined at the end: every block and their join at once, 2.2 × X
    import tracemalloc

    from glassnet.data import _load_csv_columns

    X = np.random.default_rng(0).normal(size=(100_000, 4)).round(6)
    path = tmp_path / "d.csv"
    with open(path, "w") as f:
        f.write("a,b,c,d,label\n")
        f.writelines(",".join(map(repr, row)) + ",0\n" for row in X.tolist())
    tracemalloc.start()
    try:
        got = _load_csv_columns(str(path), ["a", "b", "c", "d"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (got == X).all()
    assert peak < 1.9 * X.nbytes  # X and one block's cells (1.6 × X measured)


def test_csv_whose_first_lines_are_short_is_counted_not_guessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # short first lines guess many rows: an array for them all (8 MB for 10,000 rows
    # here) unless the guess, over CSV_GUESS_BYTES, is checked against the line count
    import tracemalloc

    monkeypatch.setattr(data_module, "CSV_GUESS_BYTES", 1024**2)
    path = tmp_path / "d.csv"
    with open(path, "w") as f:
        f.write("a,note,label\n")
        f.writelines(f"{i},,{i % 2}\n" for i in range(8_000))
        f.writelines(f"{i},{'x' * 4000},{i % 2}\n" for i in range(2_000))
    tracemalloc.start()
    try:
        ds = load_dataset(str(path), target="label", features=["a"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    expected = np.concatenate([np.arange(8_000), np.arange(2_000)])[:, None]
    assert np.array_equal(ds.X, expected)
    assert peak < 4 * 1024**2  # 2.5 MB: one block, the targets; it was 9.7 MB


def test_csv_too_large_for_memory_is_a_data_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as the array's allocation fails: one line naming the file, not a MemoryError
    path = write(tmp_path, "a,b,y\n" + "".join(f"{i},{i},0\n" for i in range(3_000)))
    empty = np.empty

    def no_memory(shape, *args, **kwargs):
        if isinstance(shape, tuple) and shape[0] > 1_000:
            raise MemoryError
        return empty(shape, *args, **kwargs)

    monkeypatch.setattr(data_module.np, "empty", no_memory)
    with pytest.raises(DataError, match=r"data\.csv: not enough memory for its numbers \(") as info:
        load_dataset(path)
    assert "\n" not in str(info.value)
