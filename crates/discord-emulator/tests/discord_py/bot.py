"""discord.py, unmodified, against the Discord emulator: only its base URL is changed.

Driven by the emulator's `discord_py` integration test, which plays the people: this bot
prints one line per step it reaches (`STEP name ...`) and reads the test's cues on stdin.
Steps: connect, sync a guild command, answer it with a button, answer the button by
updating the message, post 8 messages into one channel at once, resume after op 7,
identify again after op 9.
"""

import asyncio
import os
import sys

import discord
from discord import app_commands

import yarl

BASE = os.environ["EMULATOR_URL"]
GATEWAY = os.environ["EMULATOR_GATEWAY"]
TOKEN = os.environ["EMULATOR_TOKEN"]
GUILD = discord.Object(id=int(os.environ["EMULATOR_GUILD"]))
CHANNEL = int(os.environ["EMULATOR_CHANNEL"])

# The one change: where Discord is (its REST base and its default gateway).
discord.http.Route.BASE = BASE + "/api/v10"
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(GATEWAY + "/")


def step(name, *details):
    print("STEP", name, *details, flush=True)


class Bot(discord.Client):
    def __init__(self):
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.ready_count = 0

    async def setup_hook(self):
        self.tree.copy_global_to(guild=GUILD)
        synced = await self.tree.sync(guild=GUILD)
        step("synced", ",".join(command.name for command in synced))

    async def on_ready(self):
        self.ready_count += 1
        step("ready", self.ready_count, self.user.id)
        if self.ready_count == 1:
            asyncio.get_running_loop().create_task(self.cues())

    async def on_resumed(self):
        step("resumed")

    async def cues(self):
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = (await reader.readline()).decode().strip()
            if not line or line == "quit":
                await self.close()
                return
            if line == "burst":
                channel = self.get_channel(CHANNEL) or await self.fetch_channel(CHANNEL)
                sent = await asyncio.gather(
                    *(channel.send(f"burst {index}") for index in range(8))
                )
                step("burst", len(sent))


class Open(discord.ui.View):
    def __init__(self):
        super().__init__(timeout=60)

    @discord.ui.button(label="Open", custom_id="open", style=discord.ButtonStyle.primary)
    async def open(self, interaction: discord.Interaction, button: discord.ui.Button):
        await interaction.response.edit_message(content="Opened", view=None)
        step("clicked", interaction.user.id)


bot = Bot()


@bot.tree.command(name="ticket", description="Open a ticket")
async def ticket(interaction: discord.Interaction):
    await interaction.response.send_message("Ticket?", view=Open())
    step("answered", interaction.user.id)


bot.run(TOKEN, log_handler=None)
