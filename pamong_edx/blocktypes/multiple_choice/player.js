/* multiple_choice in the player: the choice behaviour of choices.js. */
PamongPlayer.register('multiple_choice', PamongChoices.make());
