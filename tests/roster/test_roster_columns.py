"""Column names: one table for every name a roster or a results file uses, so a results file can be read back
as a roster and a column name in another language is added to the table, not to the code."""

import gettext

import pytest

from pamong_edx import i18n
from pamong_edx.roster import COLUMNS, RosterFileError, read_roster
from pamong_edx.roster.columns import ALIASES, FIELDS, RESULT_COLUMNS, header_key, load_mapping, results_header
from pamong_edx.roster.results import ResultsWriter
from roster_samples import GOOD, good, write_csv


def test_every_name_belongs_to_one_column():
    names = [header_key(n) for key, (written, others) in COLUMNS.items() for n in {key, written, *others}]
    assert len(names) == len(set(names)) == len(ALIASES)
    assert set(FIELDS) | set(RESULT_COLUMNS) == set(COLUMNS)


def test_a_results_file_reads_back_as_a_roster(tmp_path, regions):
    roster = write_csv(tmp_path / "r.csv", [good(), good(nik="1871015508850043", email="b@desa.id")])
    results = tmp_path / "r.results.csv"
    with read_roster(roster, regions) as reader, ResultsWriter(results, regions.names) as out:
        for block in reader.blocks():
            out.write_block(block)
    with read_roster(results, regions) as again:
        layout = again.layout
        assert {name: layout.header(name) for name in layout.fields} == {f: f for f in FIELDS}
        assert layout.ignored == ["row", "status", "codes", "messages", "nama_desa_kemendagri"]
        assert [c.row for c in again] == [2, 3]


class Indonesian(gettext.NullTranslations):
    WORDS = {"telepon": "nomor ponsel", "messages": "pesan"}

    def gettext(self, message):
        return self.WORDS.get(message, message)


def test_a_translated_column_name_is_read_through_the_same_table(tmp_path, regions, monkeypatch):
    monkeypatch.setattr(i18n, "_current", Indonesian())
    assert "nomor ponsel" in results_header() and "pesan" in results_header()
    header = ["nik", "nama", "email", "Nomor Ponsel", "jabatan", "kode_desa", "nama_desa"]
    with read_roster(write_csv(tmp_path / "r.csv", [GOOD], header=header), regions) as roster:
        assert roster.layout.fields["telepon"] == 3
        assert [c.record.telepon for c in roster] == ["6281234567890"]


def test_a_mapping_file_nested_too_deeply_is_refused(tmp_path):
    mapping = tmp_path / "kolom.toml"
    mapping.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(RosterFileError, match="kolom.toml: nested too deeply to be a column mapping"):
        load_mapping(mapping)


def test_a_mapping_file_too_big_to_be_one_is_refused(tmp_path):
    mapping = tmp_path / "kolom.toml"
    mapping.write_text("# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    with pytest.raises(RosterFileError, match="kolom.toml: a column mapping file is a few lines"):
        load_mapping(mapping)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_results_header_reads_back_as_its_column_in_any_language(language):
    """A results file written in one language is read in any other: each translated header is in the table."""
    translation = i18n.CORE.translation(language)
    for key, (written, _others) in COLUMNS.items():
        assert ALIASES.get(header_key(translation.gettext(written))) == key, (language, written)
