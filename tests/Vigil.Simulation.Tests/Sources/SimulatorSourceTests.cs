using System.Text;
using System.Text.Json;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;

namespace Vigil.Simulation.Tests.Sources;

public sealed class SimulatorSourceTests
{
    private static SimulatorSource Source(ulong seed = 3) =>
        new(new TransactionSimulator(new SimulatorOptions { Customers = 200, Terminals = 400, Days = 20, Seed = seed }));

    [Fact]
    public void Transactions_carry_no_ground_truth_and_their_labels_carry_it_apart()
    {
        var source = Source();
        var count = 0;
        while (source.MoveNext())
        {
            count++;
            var expected = source.Current;
            using var transaction = JsonDocument.Parse(source.Value.ToArray());
            using var label = JsonDocument.Parse(source.Label.ToArray());
            var t = transaction.RootElement;
            Assert.Equal(["transaction_id", "timestamp", "customer_id", "terminal_id", "amount"], t.EnumerateObject().Select(p => p.Name));
            Assert.Equal(expected.TransactionId, t.GetProperty("transaction_id").GetInt64());
            Assert.Equal(expected.CustomerId, t.GetProperty("customer_id").GetInt32());
            Assert.Equal(expected.TerminalId, t.GetProperty("terminal_id").GetInt32());
            Assert.Equal(expected.AmountCents / 100.0, t.GetProperty("amount").GetDouble());
            Assert.Equal(source.EventTimeMs, t.GetProperty("timestamp").GetDateTimeOffset().ToUnixTimeMilliseconds());
            Assert.Equal(expected.CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(source.Key));

            var l = label.RootElement;
            Assert.Equal(expected.TransactionId, l.GetProperty("transaction_id").GetInt64());
            Assert.Equal(expected.IsFraud ? 1 : 0, l.GetProperty("fraud").GetInt32());
            Assert.Equal((int)expected.Scenario, l.GetProperty("fraud_scenario").GetInt32());
        }

        Assert.True(count > 1000);
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes()
    {
        static byte[] All(SimulatorSource source)
        {
            var bytes = new MemoryStream();
            while (source.MoveNext())
            {
                bytes.Write(source.Key);
                bytes.Write(source.Value);
                bytes.Write(source.Label);
            }

            return bytes.ToArray();
        }

        Assert.Equal(All(Source(seed: 9)), All(Source(seed: 9)));
        Assert.NotEqual(All(Source(seed: 9)), All(Source(seed: 10)));
    }
}
