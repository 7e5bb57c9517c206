"""Response models: media transforms, fitted flight response curves with uncertainty."""
