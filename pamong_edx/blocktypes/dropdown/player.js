/* dropdown in the player: the choice behaviour of choices.js. */
PamongPlayer.register('dropdown', PamongChoices.make());
