using System.Text;
using Vigil.Simulation.Datasets.Csv;

namespace Vigil.Simulation.Tests.Datasets;

public sealed class CsvReaderTests
{
    private static List<(long Line, string[] Fields, bool Unterminated)> Read(string text, int maxRowBytes = CsvReader.DefaultMaxRowBytes)
    {
        using var reader = new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxRowBytes);
        var rows = new List<(long, string[], bool)>();
        while (reader.Read())
        {
            var fields = Enumerable.Range(0, reader.Row.Count).Select(i => Encoding.UTF8.GetString(reader.Row[i])).ToArray();
            rows.Add((reader.Line, fields, reader.Row.IsUnterminated));
        }

        return rows;
    }

    [Fact]
    public void Rows_split_on_commas_with_their_line_numbers_skipping_blank_lines()
    {
        var rows = Read("a,b,c\r\n1,2,3\n\n4,,6\n7,8,");

        Assert.Equal([1L, 2, 4, 5], rows.Select(r => r.Line));
        Assert.Equal(["a", "b", "c"], rows[0].Fields);
        Assert.Equal(["4", "", "6"], rows[2].Fields);
        Assert.Equal(["7", "8", ""], rows[3].Fields);
    }

    [Fact]
    public void Quoted_fields_hold_commas_doubled_quotes_and_line_breaks()
    {
        var rows = Read("\"Time\",\"V1\"\n\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\nlast,row\n");

        Assert.Equal(["Time", "V1"], rows[0].Fields);
        Assert.Equal(["a,b", "say \"hi\""], rows[1].Fields);
        Assert.Equal(["two\nlines", "x"], rows[2].Fields);
        Assert.Equal(3, rows[2].Line);
        Assert.Equal(5, rows[3].Line);
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_column()
    {
        var rows = Read("\uFEFFamount,id\n1,2\n");

        Assert.Equal("amount", rows[0].Fields[0]);
    }

    [Fact]
    public void A_quote_that_never_closes_costs_its_own_line_and_the_lines_after_it_are_rows_again()
    {
        var rows = Read("a,b\n1,\"open\n2,3\n4,5");

        Assert.Equal([1L, 2, 3, 4], rows.Select(r => r.Line));
        Assert.True(rows[1].Unterminated);
        Assert.Equal(["2", "3"], rows[2].Fields);
        Assert.Equal(["4", "5"], rows[3].Fields);
    }

    [Fact]
    public void A_quote_inside_a_field_is_text_and_opens_nothing()
    {
        var rows = Read("a,b\n1,ab\"c\n2,3\n\"x\"y,4\n");

        Assert.Equal(4, rows.Count);
        Assert.Equal(["1", "ab\"c"], rows[1].Fields);
        Assert.Equal(["2", "3"], rows[2].Fields);
        Assert.Equal(["x", "4"], rows[3].Fields); // text after a closing quote is kept up to the comma, as lenient readers do
        Assert.All(rows, r => Assert.False(r.Unterminated));
    }

    [Fact]
    public void A_quoted_field_still_open_at_the_size_limit_costs_its_own_line_and_reading_goes_on()
    {
        var text = new StringBuilder("a,b\n1,\"open\n");
        for (var i = 0; i < 1_000; i++)
        {
            text.Append(i).Append(",x\n");
        }

        text.Append('"');
        var rows = Read(text.ToString(), maxRowBytes: 256);

        Assert.True(rows[1].Unterminated);
        Assert.Equal(1_003, rows.Count); // header, the open line, 1,000 rows, and the last line's lone quote
        Assert.Equal(["999", "x"], rows[^2].Fields);
        Assert.Equal(1_002, rows[^2].Line);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_cut_and_the_rest_of_it_skipped()
    {
        using var reader = new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes("a,b\n1," + new string('x', 5_000) + "\n2,3\n")), maxRowBytes: 100);

        Assert.True(reader.Read());
        Assert.True(reader.Read());
        Assert.True(reader.Row.IsOversized);
        Assert.Equal(100, reader.Row.Raw.Length);
        Assert.True(reader.Read());
        Assert.False(reader.Row.IsOversized);
        Assert.Equal(3, reader.Line);
        Assert.Equal("2", Encoding.UTF8.GetString(reader.Row[0]));
        Assert.False(reader.Read());
    }

    [Fact]
    public void A_row_spanning_lines_can_be_taken_as_its_first_line_and_the_next_line_read_as_a_row()
    {
        using var reader = new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes("1,\"a\r\n2,3\r\n4,\"b\"\r\n5,6\r\n")));

        Assert.True(reader.Read());
        Assert.Equal(3, reader.Lines); // the stray quote ran to the next one
        Assert.True(reader.Resynchronize());
        Assert.Equal("1,\"a", Encoding.UTF8.GetString(reader.Row.Raw));
        Assert.True(reader.Row.IsUnterminated);
        Assert.True(reader.Read());
        Assert.Equal(2, reader.Line);
        Assert.Equal("2,3", Encoding.UTF8.GetString(reader.Row.Raw));
        Assert.False(reader.Resynchronize());
        Assert.True(reader.Read());
        Assert.Equal(3, reader.Line);
        Assert.Equal("b", Encoding.UTF8.GetString(reader.Row[1]));
        Assert.True(reader.Read());
        Assert.Equal(4, reader.Line);
        Assert.False(reader.Read());
    }

    [Fact]
    public void Rows_longer_than_the_buffer_and_many_rows_across_buffer_ends_read_whole()
    {
        var wide = string.Join(",", Enumerable.Range(0, 300_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var text = new StringBuilder("x\n").Append(wide).Append('\n');
        for (var i = 0; i < 100_000; i++)
        {
            text.Append(i).Append(",\"q,").Append(i).Append("\"\n");
        }

        var rows = Read(text.ToString(), maxRowBytes: 4 << 20);

        Assert.Equal(100_002, rows.Count);
        Assert.Equal(300_000, rows[1].Fields.Length);
        Assert.Equal("299999", rows[1].Fields[^1]);
        Assert.Equal(["99999", "q,99999"], rows[^1].Fields);
        Assert.Equal(100_002, rows[^1].Line);
    }
}
