/* single_choice in the player: the choice behaviour of choices.js. */
PamongPlayer.register('single_choice', PamongChoices.make());
