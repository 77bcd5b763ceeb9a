"""Full screens: new game, loading, the game (play and observe), end of game and help."""
