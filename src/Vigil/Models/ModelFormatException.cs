namespace Vigil.Models;

/// <summary>A model file that cannot be used; the message says what is wrong with it.</summary>
public sealed class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);
