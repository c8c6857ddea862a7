using Vigil.Features;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Learning.Tests;

public sealed class ModelJsonTests
{
    public static TheoryData<string> Kinds => ["lr", "gbt", "iforest"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_model_written_and_read_back_scores_and_explains_exactly_as_before(string kind)
    {
        Assert.True(ModelKinds.TryParse(kind, out var parsed));
        var data = Rows.Xor(60, seed: 8);
        var model = ModelTrainer.Train(new TrainingOptions(parsed) { Boosting = new() { Trees = 20, ValidationFraction = 0.2 } }, data,
            FeatureSet.None, "xor");
        var json = ModelJson.Serialize(model);

        var read = ModelJson.Deserialize(json);

        Assert.Equal(model.Kind, read.Kind);
        Assert.Equal(model.Inputs, read.Inputs);
        Assert.Equal(model.Threshold, read.Threshold);
        Assert.StartsWith(kind + "-", read.Version, StringComparison.Ordinal);
        Assert.Equal(json, ModelJson.Serialize(read));
        Assert.Equal(60 * 4, read.Metadata["training"]!["rows"]!.GetValue<int>());
        var before = new double[2];
        var after = new double[2];
        for (var r = 0; r < data.Rows; r++)
        {
            Assert.Equal(model.Score(data.Row(r)), read.Score(data.Row(r)));
            model.Explain(data.Row(r), before);
            read.Explain(data.Row(r), after);
            Assert.Equal(before, after);
        }
    }

    [Fact]
    public void The_features_a_model_needs_travel_with_it()
    {
        var model = new LogisticModel(["customer_nb_tx_1d"], [0], [1], [1], 0, 0.5)
        {
            Features = new FeatureSet("vigil", [FeatureSet.Vigil.Definitions[FeatureSet.Vigil.IndexOf("customer_nb_tx_1d")]]),
        };

        var read = ModelJson.Deserialize(ModelJson.Serialize(model));

        Assert.Equal("customer_nb_tx_1d = count(customer, 1d)", Assert.Single(read.Features.Definitions).ToString());
    }

    [Fact]
    public void A_model_of_a_ratio_alone_still_declares_both_features_the_ratio_reads()
    {
        var set = FeatureSet.Vigil;
        var data = Rows.Of(["tx_amount/customer_avg_amount_30d"], [([1.0], 0), ([5.0], 1), ([1.2], 0), ([4.0], 1)]);

        var model = ModelTrainer.Train(new TrainingOptions(ModelKind.LogisticRegression), data, set, "ratios");

        Assert.Equal(["tx_amount", "customer_avg_amount_30d"], model.Features.Definitions.Select(d => d.Name));
    }

    [Theory]
    [InlineData("[]", "one JSON object")]
    [InlineData("{", "not JSON")]
    [InlineData("""{"format":"other"}""", "not a Vigil model")]
    [InlineData("""{"format":"vigil-model","format_version":9}""", "version 9 is not supported")]
    [InlineData("""{"format":"vigil-model","format_version":1,"kind":"svm"}""", "unknown model kind \"svm\"")]
    [InlineData("""{"format":"vigil-model","format_version":1,"kind":"lr","inputs":["a"],"threshold":0.5}""", "needs a \"logistic\" object")]
    [InlineData("""{"format":"vigil-model","format_version":1,"kind":"lr","inputs":["a"],"threshold":0.5,"logistic":{"mean":[0],"scale":[0],"weights":[1],"intercept":0}}""", "scales are positive")]
    [InlineData("""{"format":"vigil-model","format_version":1,"kind":"gbt","inputs":["a"],"threshold":0.5,"trees":{"base_margin":0,"trees":[{"feature":[0],"threshold":[1],"left":[0],"right":[0],"value":[0],"cover":[1]}]}}""", "tree 0: node 0 has children")]
    public void A_broken_model_file_is_refused_with_what_is_wrong(string json, string message)
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelJson.Deserialize(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
