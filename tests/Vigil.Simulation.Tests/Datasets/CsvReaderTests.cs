using System.Text;
using Vigil.Simulation.Datasets.Csv;

namespace Vigil.Simulation.Tests.Datasets;

public sealed class CsvReaderTests
{
    private static List<(long Line, string[] Fields, bool Unterminated)> Read(string text, int bufferHint = 0)
    {
        _ = bufferHint;
        using var reader = new CsvReader(new MemoryStream(Encoding.UTF8.GetBytes(text)));
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
    public void A_quote_that_never_closes_makes_the_rest_of_the_file_one_unterminated_row()
    {
        var rows = Read("a,b\n1,\"open\n2,3\n");

        Assert.Equal(2, rows.Count);
        Assert.True(rows[1].Unterminated);
        Assert.Equal(2, rows[1].Line);
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

        var rows = Read(text.ToString());

        Assert.Equal(100_002, rows.Count);
        Assert.Equal(300_000, rows[1].Fields.Length);
        Assert.Equal("299999", rows[1].Fields[^1]);
        Assert.Equal(["99999", "q,99999"], rows[^1].Fields);
        Assert.Equal(100_002, rows[^1].Line);
    }
}
