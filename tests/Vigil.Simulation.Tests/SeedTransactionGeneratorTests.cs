using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Simulation.Seed;
using Vigil.Transactions;

namespace Vigil.Simulation.Tests;

public partial class SeedTransactionGeneratorTests
{
    [GeneratedRegex("""^\{"source":"[0-9a-zA-Z]{12}","target":"[0-9a-zA-Z]{12}","amount":\d{1,4}\.\d{1,2},"currency":"EUR"\}$""")]
    private static partial Regex SeedMessage();

    private static List<(string Record, string Key)> Generate(ulong seed, int count)
    {
        var generator = new SeedTransactionGenerator(seed);
        var buffer = new byte[SeedTransactionGenerator.MaxRecordLength];
        var records = new List<(string, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var length = generator.Next(buffer, out var key);
            records.Add((Encoding.UTF8.GetString(buffer, 0, length), Encoding.UTF8.GetString(buffer.AsSpan(key))));
        }

        return records;
    }

    [Fact]
    public void Generator_writes_the_seed_message_shape_keyed_by_source()
    {
        foreach (var (record, key) in Generate(seed: 1, count: 10_000))
        {
            Assert.Matches(SeedMessage(), record);
            using var json = JsonDocument.Parse(record);
            Assert.Equal(key, json.RootElement.GetProperty("source").GetString());
        }
    }

    [Fact]
    public void Generator_is_deterministic_for_a_seed()
    {
        Assert.Equal(Generate(seed: 7, count: 1000), Generate(seed: 7, count: 1000));
        Assert.NotEqual(Generate(seed: 7, count: 10), Generate(seed: 8, count: 10));
    }

    [Fact]
    public void Generator_amounts_are_uniform_cents_from_1_to_1000_so_about_ten_percent_are_fraud()
    {
        var decoder = new TransactionDecoder();
        var transaction = new Transaction();
        var amounts = Generate(seed: 3, count: 200_000).Select(r =>
        {
            Assert.True(decoder.TryDecode(Encoding.UTF8.GetBytes(r.Record), transaction, out _));
            return transaction.Amount;
        }).ToList();

        Assert.All(amounts, a => Assert.InRange(a, 1.00, 1000.00));
        Assert.All(amounts, a => Assert.Equal(Math.Round(a, 2), a));
        var fraudShare = amounts.Count(a => a >= 900) / (double)amounts.Count;
        // Exact share is 10,001 / 99,901 = 10.01 %; 200,000 draws put 4 standard deviations at ±0.27 %.
        Assert.InRange(fraudShare, 0.0974, 0.1028);
        Assert.InRange(amounts.Average(), 495, 506);
    }

    [Fact]
    public void Generator_uses_all_62_account_characters()
    {
        var characters = Generate(seed: 5, count: 2000).SelectMany(r => r.Key).ToHashSet();

        Assert.Equal(62, characters.Count);
    }
}
