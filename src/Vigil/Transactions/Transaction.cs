using Vigil.Features;

namespace Vigil.Transactions;

/// <summary>A decoded transaction whose fields point into the UTF-8 record it was decoded from.</summary>
/// <remarks>
/// One instance is reused for every record a worker decodes, so the hot path allocates nothing;
/// it is valid until the next decode. The record's bytes must not change meanwhile.
/// </remarks>
public sealed class Transaction
{
    public ReadOnlyMemory<byte> Utf8 { get; private set; }

    public double Amount { get; internal set; }

    /// <summary>Event time in Unix milliseconds; valid when <see cref="HasTimestamp"/>.</summary>
    public long TimestampMs { get; internal set; }

    public bool HasTimestamp { get; internal set; }

    public Utf8Field TransactionId { get; internal set; }

    /// <summary>The paying account (the seed's <c>source</c>).</summary>
    public Utf8Field Source { get; internal set; }

    /// <summary>The receiving account (the seed's <c>target</c>).</summary>
    public Utf8Field Target { get; internal set; }

    public Utf8Field CustomerId { get; internal set; }

    public Utf8Field TerminalId { get; internal set; }

    public Utf8Field Currency { get; internal set; }

    /// <summary>Numeric fields Vigil does not know by name (model inputs such as V1..V28).</summary>
    public NumericFields Numbers { get; } = new();

    private readonly NumericFields _features = new();
    private bool _featuresRead;

    /// <summary>The values of the feature stage's <c>"features"</c> object, NaN where a feature is unknown (null).</summary>
    /// <remarks>Read from the record on first use, so records that no model scores never pay for it.</remarks>
    public NumericFields Features
    {
        get
        {
            if (!_featuresRead)
            {
                _featuresRead = true;
                if (HasFeatures)
                {
                    TransactionDecoder.ReadFeatureValues(Utf8.Span, FeaturesRange, _features);
                }
            }

            return _features;
        }
    }

    /// <summary>Whether the record has a <c>"features"</c> object, or features were given with <see cref="UseFeatures"/>.</summary>
    public bool HasFeatures { get; internal set; }

    /// <summary>The features given with <see cref="UseFeatures"/>, which the output record is to carry; null when none were.</summary>
    public FeatureJson? ComputedFeatures { get; private set; }

    /// <summary>
    /// Gives the transaction features computed beside it (in binary, not in its record): models and rules read them
    /// as they read a <c>"features"</c> object, and the output record carries them. Call after decoding.
    /// </summary>
    public void UseFeatures(FeatureJson features, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(features);
        _features.Reset(features.NamesUtf8);
        var names = features.NameFields;
        for (var i = 0; i < names.Count; i++)
        {
            _features.Add(names[i], values[i]);
        }

        _featuresRead = true;
        HasFeatures = true;
        ComputedFeatures = features;
    }

    internal Range FeaturesRange { get; set; }

    /// <summary>Index of the closing brace of the top-level object.</summary>
    internal int ObjectEnd { get; set; }

    /// <summary>Byte range of a <c>"vigil": ...</c> member already in the input, replaced on output.</summary>
    internal Range PreviousDecision { get; set; }

    internal bool HasPreviousDecision { get; set; }

    public ReadOnlySpan<byte> Raw(Utf8Field field) =>
        field.IsPresent ? Utf8.Span.Slice(field.Start, field.Length) : ReadOnlySpan<byte>.Empty;

    /// <summary>The field's text as a string; allocates, for the slow path.</summary>
    public string? Text(Utf8Field field) => field.IsPresent ? Utf8Text.Decode(Utf8.Span, field) : null;

    internal void Reset(ReadOnlyMemory<byte> utf8)
    {
        Utf8 = utf8;
        Amount = 0;
        TimestampMs = 0;
        HasTimestamp = false;
        TransactionId = default;
        Source = default;
        Target = default;
        CustomerId = default;
        TerminalId = default;
        Currency = default;
        ObjectEnd = 0;
        PreviousDecision = default;
        HasPreviousDecision = false;
        Numbers.Reset(utf8);
        _features.Reset(utf8);
        _featuresRead = false;
        HasFeatures = false;
        ComputedFeatures = null;
        FeaturesRange = default;
    }
}
